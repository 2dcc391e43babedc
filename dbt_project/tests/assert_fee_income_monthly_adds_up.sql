{{ config(tags=['month_end_only']) }}

{#- The month's fee income adds up (docs/domain.md §9): a month end's mart_fee_income_monthly rows equal the
    sums of that month's mart_fee_income_daily rows (every month end without the var). Run on month ends
    only, with the model (tag month_end_only); the daily rows' own arithmetic:
    assert_fee_income_daily_adds_up.sql. -#}
with

daily as (

    select * from {{ ref('mart_fee_income_daily') }}

),

monthly as (

    select * from {{ ref('mart_fee_income_monthly') }}
    where {{ business_date_filter('period_end') }}

),

daily_of_months as (

    select
        monthly_keys.period_end,
        daily.product_code,
        daily.bucket_code,
        sum(daily.net_income_amount) as net_income_amount,
        sum(daily.gross_income_amount) as gross_income_amount,
        sum(daily.waived_amount) as waived_amount

    from (select distinct period_end from monthly) as monthly_keys

    inner join daily
        on daily.business_date <= monthly_keys.period_end
        and daily.business_date > cast({{ dbt.dateadd('month', -1, 'monthly_keys.period_end') }} as date)
        and {{ month_start('daily.business_date') }} = {{ month_start('monthly_keys.period_end') }}

    group by monthly_keys.period_end, daily.product_code, daily.bucket_code

),

monthly_errors as (

    select
        coalesce(monthly.period_end, daily_of_months.period_end) as checked_date,
        coalesce(monthly.product_code, daily_of_months.product_code) as product_code,
        coalesce(monthly.bucket_code, daily_of_months.bucket_code) as bucket_code,
        'monthly differs from its daily rows' as problem

    from monthly

    full outer join daily_of_months
        on daily_of_months.period_end = monthly.period_end
        and daily_of_months.product_code = monthly.product_code
        and daily_of_months.bucket_code = monthly.bucket_code

    where monthly.period_end is null
        or daily_of_months.period_end is null
        or monthly.net_income_amount <> daily_of_months.net_income_amount
        or monthly.gross_income_amount <> daily_of_months.gross_income_amount
        or monthly.waived_amount <> daily_of_months.waived_amount

)

select * from monthly_errors
