{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- The month's interest and fee income with its waivers and reversals, per product and bucket at posting
    (docs/domain.md §9): the roll-up of mart_fee_income_daily over a calendar month, one row per month end,
    product_code and bucket_code. Written on a month-end run (period_end = the run's date, the month's
    daily rows: about a month of small rows); a run on any other date writes nothing; without the var every
    month whose last day is loaded. -#}

{%- set business_date = var('business_date', none) %}

with

daily as (

    select
        *,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, dbt.date_trunc('month', 'business_date'))) }} as date
        ) as period_end

    from {{ ref('mart_fee_income_daily') }}
    {%- if business_date is not none %}
    where {% if run_is_month_end() -%}
        {{ business_date_lookback_filter(31) }}
    {%- else -%}
        1 = 0
    {%- endif %}
    {%- endif %}

),

loaded_month_ends as (

    select distinct business_date as period_end
    from {{ ref('stg_accounts') }}
    where {{ business_date_filter('business_date') }}

),

summed as (

    select
        daily.period_end,
        daily.product_code,
        daily.bucket_code,
        {%- for column in fee_income_amount_columns() + ['charges_posted', 'returns_posted'] %}
        sum(daily.{{ column }}) as {{ column }},
        {%- endfor %}
        count(distinct daily.business_date) as posting_days

    from daily

    inner join loaded_month_ends
        on loaded_month_ends.period_end = daily.period_end

    group by daily.period_end, daily.product_code, daily.bucket_code

),

final as (

    select
        cast(period_end as date) as period_end,
        cast(product_code as varchar) as product_code,
        cast(bucket_code as varchar) as bucket_code,
        {%- for column in fee_income_amount_columns() %}
        cast({{ column }} as numeric(20, 2)) as {{ column }},
        {%- endfor %}
        cast(charges_posted as integer) as charges_posted,
        cast(returns_posted as integer) as returns_posted,
        cast(posting_days as integer) as posting_days

    from summed

)

select * from final
