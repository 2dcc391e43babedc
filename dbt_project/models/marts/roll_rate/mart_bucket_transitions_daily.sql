{#- Operational view: yesterday's bucket -> today's bucket, counts and balances, per business date.
    "Yesterday" is the previous business date present in fct_account_daily (looked for at most 31 days
    back). Accounts absent yesterday come FROM 'NEW'; accounts absent today go TO 'MISSING'.
    Cost: a daily run reads two snapshots and replaces its own date (delete+insert on business_date). -#}
{{ config(unique_key='business_date') }}

with

dpd_buckets as (

    select * from {{ ref('dpd_buckets') }}

),

account_days as (

    select
        business_date,
        account_id,
        bucket_code,
        greatest(current_balance, 0) as balance

    from {{ ref('fct_account_daily') }}

    where {{ since_previous_business_date_filter(ref('fct_account_daily')) }}

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

cells as (

    select
        business_date,
        previous_business_date,
        from_bucket,
        to_bucket,
        count(*) as accounts,
        sum(opening_balance) as opening_balance,
        sum(closing_balance) as closing_balance

    from account_transitions

    group by 1, 2, 3, 4

),

classified as (

    select
        cells.*,
        from_state.bucket_order as from_bucket_order,
        to_state.bucket_order as to_bucket_order,
        {{ transition_type('cells.from_bucket', 'cells.to_bucket', 'to_state.min_dpd',
                           'from_state.bucket_order', 'to_state.bucket_order') }} as transition_type

    from cells

    left join dpd_buckets as from_state
        on from_state.bucket_code = cells.from_bucket

    left join dpd_buckets as to_state
        on to_state.bucket_code = cells.to_bucket

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(previous_business_date as date) as previous_business_date,
        cast(from_bucket as varchar) as from_bucket,
        cast(to_bucket as varchar) as to_bucket,
        cast(from_bucket_order as integer) as from_bucket_order,
        cast(to_bucket_order as integer) as to_bucket_order,
        cast(transition_type as varchar) as transition_type,
        cast(accounts as bigint) as accounts,
        cast(opening_balance as numeric(20, 2)) as opening_balance,
        cast(closing_balance as numeric(20, 2)) as closing_balance

    from classified

)

select * from final
