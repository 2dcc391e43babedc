{{ config(materialized='view') }}

{#- Month-end aging: the rows of mart_aging_daily whose business date is the calendar month end. -#}
with

aging as (

    select * from {{ ref('mart_aging_daily') }}

),

month_end as (

    select
        {{ month_start('business_date') }} as report_month,
        business_date,
        product_code,
        branch_code,
        vintage_month,
        bucket_code,
        bucket_order,
        is_on_book,
        account_count,
        current_balance,
        amount_past_due,
        share_of_book_accounts,
        share_of_book_balance

    from aging
    where is_month_end

)

select * from month_end
