{#- Accounts entering delinquency (1+ DPD) on a business date: open, past due today, not past due on the
    previous business date they were in the snapshot. The cohorts of mart_collections_entry_cohorts. Cost:
    a daily run reads the run's date and the previous business date of the accounts. -#}
{{ config(materialized='incremental', unique_key='business_date') }}

with

{# the staged accounts of the run's date and the previous business date: the date filter reaches the raw
   scan (on the classified view it would not) #}
accounts as (

    select
        business_date,
        account_id,
        account_status,
        days_past_due,
        current_balance,
        amount_past_due

    from {{ ref('stg_accounts') }}
    where {{ since_previous_business_date_filter(ref('stg_accounts')) }}

),

classified as (

    select
        business_date,
        account_id,
        bucket_code

    from {{ ref('int_accounts_classified') }}
    where {{ business_date_filter('business_date') }}

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
        with_previous.business_date,
        with_previous.account_id,
        {{ month_start('with_previous.business_date') }} as entry_month,
        with_previous.days_past_due as days_past_due_at_entry,
        classified.bucket_code as bucket_at_entry,
        with_previous.current_balance as balance_at_entry,
        with_previous.amount_past_due as amount_past_due_at_entry

    from with_previous

    inner join classified
        on classified.business_date = with_previous.business_date
        and classified.account_id = with_previous.account_id

    where {{ business_date_filter('with_previous.business_date') }}
        and with_previous.account_status = 'OPEN'
        and with_previous.days_past_due > 0
        and with_previous.previous_days_past_due = 0

)

select * from final
