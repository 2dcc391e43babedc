{#- Fee income adds up day by day (docs/domain.md §9): on the run's date (every date without the var),
    each row of mart_fee_income_daily has gross = the six charge types, net = gross - waived - reversed, and
    no negative gross, waived, reversed or write-off amount. The month's roll-up:
    assert_fee_income_monthly_adds_up.sql. -#}
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

)

select * from daily_errors
