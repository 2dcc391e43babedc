{#- Operational view: yesterday's bucket -> today's bucket, counts and balances, per business date.
    "Yesterday" is the previous business date present in fct_account_daily (looked for at most 31 days
    back). Accounts absent yesterday come FROM 'NEW'; accounts absent today go TO 'MISSING'.
    Cost: a daily run reads two snapshots and replaces its own date (delete+insert on business_date). -#}
{{ config(unique_key='business_date') }}

with

account_days as (

    {{ account_states(since_previous_business_date_filter(ref('fct_account_daily'))) }}

),

date_pairs as (

    select
        lag(business_date) over (order by business_date) as previous_business_date,
        business_date

    from (select distinct business_date from account_days) as dates

),

target_pairs as (

    select * from date_pairs
    where previous_business_date is not null
        and {{ business_date_filter() }}

),

yesterday as (

    select
        target_pairs.business_date,
        target_pairs.previous_business_date,
        account_days.account_id,
        account_days.bucket_code,
        account_days.balance

    from target_pairs

    inner join account_days
        on account_days.business_date = target_pairs.previous_business_date

),

today as (

    select
        target_pairs.business_date,
        target_pairs.previous_business_date,
        account_days.account_id,
        account_days.bucket_code,
        account_days.balance

    from target_pairs

    inner join account_days
        on account_days.business_date = target_pairs.business_date

),

account_transitions as (

    select
        coalesce(today.business_date, yesterday.business_date) as business_date,
        coalesce(today.previous_business_date, yesterday.previous_business_date) as previous_business_date,
        coalesce(yesterday.bucket_code, 'NEW') as from_bucket,
        coalesce(today.bucket_code, 'MISSING') as to_bucket,
        coalesce(yesterday.balance, 0) as opening_balance,
        coalesce(today.balance, 0) as closing_balance

    from yesterday

    full outer join today
        on today.business_date = yesterday.business_date
        and today.account_id = yesterday.account_id

),

final as (

    {{ transition_cells('account_transitions', ['business_date', 'previous_business_date']) }}

)

select * from final
