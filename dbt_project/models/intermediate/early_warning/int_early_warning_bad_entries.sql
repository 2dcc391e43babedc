{#- Days on which an account enters the "bad" state of the early-warning performance measure: bad =
    days_past_due >= var early_warning_bad_dpd (default 30) or charged off, and it was not bad on its
    previous snapshot (or had none). Sparse (one row per entry, not per bad day), so the performance
    mart can look 90 days ahead without scanning 90 days of account snapshots.

    Cost: a daily run reads the run date and the previous business date of the staged accounts (the
    date filter reaches the raw scan: no join between them); delete+insert on business_date. -#}
{{ config(unique_key='business_date') }}

{%- set bad_dpd = var('early_warning_bad_dpd', 30) | int %}

with

account_days as (

    select
        business_date,
        account_id,
        days_past_due,
        account_status,
        (days_past_due >= {{ bad_dpd }} or account_status = 'CHARGED_OFF') as is_bad

    from {{ ref('stg_accounts') }}

    where {{ since_previous_business_date_filter(ref('stg_accounts')) }}

),

with_previous as (

    select
        *,
        lag(is_bad) over (partition by account_id order by business_date) as was_bad

    from account_days

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(account_id as varchar) as account_id,
        cast(days_past_due as integer) as days_past_due,
        cast(account_status as varchar) as account_status

    from with_previous

    where is_bad
        and not coalesce(was_bad, false)
        and {{ business_date_filter() }}

)

select * from final
