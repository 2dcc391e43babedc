{#- Fee income adds up (docs/domain.md §9): on the run's date (every date without the var), each row of
    mart_fee_income_daily has gross = the six charge types, net = gross - waived - reversed, and no negative
    gross, waived, reversed or write-off amount; a month end's mart_fee_income_monthly rows equal the sums of
    that month's daily rows. -#}
with

daily as (

    select * from {{ ref('mart_fee_income_daily') }}

),

daily_errors as (

    select
        business_date as checked_date,
        product_code,
        bucket_code,
        'daily arithmetic or sign' as problem

    from daily

    where {{ business_date_filter('business_date') }}
        and (
            gross_income_amount <> interest_amount + penalty_interest_amount + late_fee_amount
            + annual_fee_amount + instalment_fee_amount + cash_advance_fee_amount
            or net_income_amount <> gross_income_amount - waived_amount - reversed_amount
            or gross_income_amount < 0
            or waived_amount < 0
            or reversed_amount < 0
            or settlement_write_off_amount < 0
        )

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

select * from daily_errors
union all
select * from monthly_errors
