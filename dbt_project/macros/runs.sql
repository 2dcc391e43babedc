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
