{#- Runs of consecutive days on which a condition holds for an account (a delinquency, a dispute), for the
    day-over-day models that carry a run's start forward (int_account_delinquency_start,
    int_account_disputes): each day where `in_run` is false starts a new run number, so the days of one run
    share a number. -#}
{% macro run_number(in_run) -%}
    sum(case when {{ in_run }} then 0 else 1 end) over (
        partition by account_id
        order by business_date
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- The earliest non-null `value` of the run `run` up to each day: the run's start, kept for its later days. -#}
{% macro run_start(value, run) -%}
    min({{ value }}) over (
        partition by account_id, {{ run }}
        order by business_date
        rows between unbounded preceding and current row
    )
{%- endmacro %}

{#- The staging days a day-over-day model reads in a run: up to the run's date and, on a run of the changes
    only, just those after the last date it processed (`processed`: a one-row relation of that date), or the
    run's date alone when it has processed none. -#}
{% macro days_not_yet_processed(processed, changes_only) -%}
    {{ business_date_filter(operator='<=') }}
    {%- if changes_only %}
        and business_date > coalesce(
            (select {{ processed }}.business_date from {{ processed }}),
            cast({{ dbt.dateadd('day', -1, business_date_literal()) }} as date)
        )
    {%- endif %}
{%- endmacro %}
