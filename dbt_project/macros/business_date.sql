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

{#- Predicate restricting `column` to the run's business date (operator '=') or to the dates up to it
    ('<='), or `1 = 1` when no date is given. Used on the source reads of incremental models so a day's
    cost grows with the day, not the history: the one spelling of "the run's date, if any". -#}
{% macro business_date_filter(column='business_date', operator='=') -%}
    {%- if operator not in ('=', '<=') -%}
        {{ exceptions.raise_compiler_error("business_date_filter: operator must be '=' or '<=', not " ~ operator) }}
    {%- endif -%}
    {%- if var('business_date', none) is none -%}
        1 = 1
    {%- else -%}
        {{ column }} {{ operator }} {{ business_date_literal() }}
    {%- endif -%}
{%- endmacro %}

{#- Predicate restricting `column` to the `days` days up to and including the run's business date, or
    `1 = 1` when no date is given: the bounded look-back of a daily run (payments of the last cycles, the
    previous month end), so its cost grows with the window, not the history. -#}
{% macro business_date_lookback_filter(days, column='business_date') -%}
    {%- if var('business_date', none) is none -%}
        1 = 1
    {%- else -%}
        {{ column }} <= {{ business_date_literal() }}
        and {{ column }} >= cast({{ dbt.dateadd('day', -days, business_date_literal()) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- True when the run's business date is the last day of its calendar month, decided at compile time;
    false for a run without the var. -#}
{% macro run_is_month_end() -%}
    {%- set value = var('business_date', none) -%}
    {%- if value is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set run_day = modules.datetime.date.fromisoformat(value | string) -%}
    {{ return((run_day + modules.datetime.timedelta(days=1)).month != run_day.month) }}
{%- endmacro %}

{#- Predicate of a monthly model on fct_account_daily: the month-end snapshots of the `days` days up to
    the run's date when that date is a calendar month end; nothing on any other date (`1 = 0`, decided at
    compile time, so no scan); every month end without the var (backfill / full refresh). -#}
{% macro month_end_snapshots_filter(days) -%}
    is_month_end
    {%- if var('business_date', none) is not none %}
        and {{ business_date_lookback_filter(days) if run_is_month_end() else '1 = 0' }}
    {%- endif -%}
{%- endmacro %}

{#- The latest business date of `relation` (an account-day model or the staged accounts) before the run's
    date, looking back at most 31 days, as a scalar subquery body: what day-over-day logic compares today
    with, reading one earlier day, not the history. A model whose FROM reads other relations must name
    `relation` in a `-- depends_on:` comment (the call is rendered only for a daily run). -#}
{% macro previous_business_date(relation) -%}
    select max(business_date)
    from {{ relation }}
    where business_date < {{ business_date_literal() }}
        and business_date >= cast({{ dbt.dateadd('day', -31, business_date_literal()) }} as date)
{%- endmacro %}

{#- Predicate restricting business_date to the run's date and the previous business date of `relation`
    (the run's date alone when there is none in the last 31 days), or `1 = 1` when no date is given: the
    two days a day-over-day comparison reads. -#}
{% macro since_previous_business_date_filter(relation) -%}
    {%- if var('business_date', none) is none -%}
        1 = 1
    {%- else -%}
        business_date <= {{ business_date_literal() }}
        and business_date >= coalesce(
            ({{ previous_business_date(relation) }}),
            {{ business_date_literal() }}
        )
    {%- endif -%}
{%- endmacro %}

{#- The refreshed_on stamp of the rows a run writes into a current-state table (customers, persons): the
    run's business date. A run without it rewrites everything: the history load (creditwh.pipeline.history)
    passes var built_through, the last date it built, so the next daily run takes that as its watermark;
    other full builds stamp null. -#}
{% macro run_refreshed_on() -%}
    {%- set stamp = var('business_date', none) or var('built_through', none) -%}
    {%- if stamp is none -%}
        cast(null as date)
    {%- else -%}
        {%- do modules.datetime.date.fromisoformat(stamp | string) -%}
        cast('{{ stamp }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- True when the run rewrites only what its business date changed: an incremental model whose table
    exists, run for one date. A first build, --full-refresh and a run without the var rewrite everything. -#}
{% macro changes_only_run() -%}
    {{ return(is_incremental() and var('business_date', none) is not none) }}
{%- endmacro %}

{#- The bureau reporting period (Metro 2 and the PBOC alike): the calendar month that ends on the run's
    business date, when that date is a month end (run_is_month_end); a run on any other date, or without the
    var, has no period (is_end false, dates none) and the monthly bureau models build nothing. -#}
{% macro bureau_period() -%}
    {%- if not run_is_month_end() -%}
        {{ return({'is_end': false, 'start': none, 'end': none, 'previous_end': none}) }}
    {%- endif -%}
    {%- set period_end = modules.datetime.date.fromisoformat(var('business_date') | string) -%}
    {%- set period_start = period_end.replace(day=1) -%}
    {{ return({'is_end': true, 'start': period_start, 'end': period_end,
               'previous_end': period_start - modules.datetime.timedelta(days=1)}) }}
{%- endmacro %}

{#- Pre-hook of every model (dbt_project.yml); acts on the incremental ones replaced per business date
    (unique_key business_date): a daily run first clears the run date's rows, so a restated date whose new
    result is empty leaves no stale rows (delete+insert deletes only the dates its new rows carry). -#}
{% macro clear_run_date() -%}
    {%- if config.get('unique_key') == 'business_date' and changes_only_run() -%}
        delete from {{ this }} where business_date = {{ business_date_literal() }}
    {%- endif -%}
{%- endmacro %}
