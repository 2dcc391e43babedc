{#- The run's business date. Daily runs pass --vars '{business_date: "YYYY-MM-DD"}'; without it the
    incremental models process every date (backfill / full refresh). -#}

{% macro business_date_literal() -%}
    {%- set value = var('business_date', none) -%}
    {%- if value is none -%}
        {{ exceptions.raise_compiler_error("var business_date is required here") }}
    {%- endif -%}
    {%- do modules.datetime.date.fromisoformat(value | string) -%}
    cast('{{ value }}' as date)
{%- endmacro %}

{#- Predicate restricting `column` to the run's business date, or `1 = 1` when no date is given.
    Used on the source reads of incremental models so a day's cost grows with the day, not the history. -#}
{% macro business_date_filter(column='business_date') -%}
    {%- if var('business_date', none) is none -%}
        1 = 1
    {%- else -%}
        {{ column }} = {{ business_date_literal() }}
    {%- endif -%}
{%- endmacro %}

{#- The latest business date loaded before the run's date (looking back at most 31 days), as a scalar
    subquery body: what day-over-day logic compares today with, reading one earlier day, not the history. -#}
{% macro previous_business_date() -%}
    select max(business_date)
    from {{ ref('fct_account_daily') }}
    where business_date < {{ business_date_literal() }}
        and business_date >= cast({{ dbt.dateadd('day', -31, business_date_literal()) }} as date)
{%- endmacro %}

{#- The refreshed_on stamp of the rows a run writes into a current-state table (customers, persons): the
    run's business date; null for a run without the var (it rewrites everything). -#}
{% macro run_refreshed_on() -%}
    {%- if var('business_date', none) is none -%}
        cast(null as date)
    {%- else -%}
        {{ business_date_literal() }}
    {%- endif -%}
{%- endmacro %}

{#- True when the run rewrites only what its business date changed: an incremental model whose table
    exists, run for one date. A first build, --full-refresh and a run without the var rewrite everything. -#}
{% macro changes_only_run() -%}
    {{ return(is_incremental() and var('business_date', none) is not none) }}
{%- endmacro %}
