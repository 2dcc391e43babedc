{#- One day of a person's risk rating (docs/domain.md §8; seeds customer_risk_ratings, customer_risk_rules),
    from the rules-based rating of the day (`base`: rating_order) and the person's state on the previous
    business date (`previous`, `changed_on`, `clean_since`: null for a person not rated that day) and
    `step_months` (clean_months_to_step_down of the previous rating). The rating rises at once to the
    base; below the base it never goes; above it (a clean day) it falls one step once the clean streak
    reaches step_months calendar months, and the streak then restarts. Yields rating_order,
    rating_changed_on, clean_since: the one home of the transition, used by the daily run (one step) and
    the backfill (every date, recursively). -#}
{% macro person_risk_rating_step(day, base, previous, changed_on, clean_since, step_months) -%}
    {%- set is_clean -%}
        ({{ previous }} is not null and {{ base }} < {{ previous }})
    {%- endset -%}
    {%- set clean_streak_start -%}
        (case when {{ is_clean }} then coalesce({{ clean_since }}, {{ day }}) end)
    {%- endset -%}
    {%- set steps_down -%}
        ({{ is_clean }} and {{ day }} >= cast({{ dbt.dateadd('month', step_months, clean_streak_start) }} as date))
    {%- endset -%}
    {%- set rating_order -%}
        (case
            when {{ previous }} is null or {{ base }} >= {{ previous }} then {{ base }}
            when {{ steps_down }} then {{ previous }} - 1
            else {{ previous }}
        end)
    {%- endset -%}
    {{ rating_order }} as rating_order,
    case
        when {{ previous }} is null or {{ rating_order }} <> {{ previous }} then {{ day }}
        else {{ changed_on }}
    end as rating_changed_on,
    case
        when {{ rating_order }} > {{ base }} then
            case when {{ steps_down }} then {{ day }} else {{ clean_streak_start }} end
    end as clean_since
{%- endmacro %}
