{#- Accounts entering delinquency (1+ DPD) on a business date: open, past due today, not past due on the
    previous business date they were in the snapshot. The cohorts of mart_collections_entry_cohorts. Cost:
    a daily run reads the run's date and the previous business date of the accounts. -#}
{{ config(materialized='incremental', unique_key='business_date') }}

with

accounts as (

    select
        business_date,
        account_id,
        account_status,
        days_past_due,
        bucket_code,
        current_balance,
        amount_past_due

    from {{ ref('int_accounts_classified') }}
    where {{ since_previous_business_date_filter(ref('stg_accounts')) }}

),

with_previous as (

    select
        *,
        lag(days_past_due) over (partition by account_id order by business_date) as previous_days_past_due,
        lag(business_date) over (partition by account_id order by business_date) as previous_business_date

    from accounts

),

final as (

    select
        business_date,
        account_id,
        {{ month_start('business_date') }} as entry_month,
        days_past_due as days_past_due_at_entry,
        bucket_code as bucket_at_entry,
        current_balance as balance_at_entry,
        amount_past_due as amount_past_due_at_entry

    from with_previous
    where {{ business_date_filter('business_date') }}
        and account_status = 'OPEN'
        and days_past_due > 0
        and previous_days_past_due = 0

)

select * from final
