{{ config(unique_key='business_date') }}

{#- Delinquent entry cohorts judged on the run's date: the accounts that entered 1+ DPD 30, 60 and 90 days
    earlier (the horizons), how much of their balance at entry was paid since, how many are current again
    (cured) and how many are in a lower bucket than missing every payment since entry would have put them
    (rolled back). Two snapshots per account (entry and today) and the payments of the longest horizon:
    a day's cost is the entries of three dates. -#}
{%- set horizons = [30, 60, 90] -%}

with

horizons as (

    {% for days in horizons -%}
    select {{ days }} as horizon_days
    {%- if not loop.last %} union all {% endif %}
    {% endfor %}

),

entries as (

    select
        entries.*,
        horizons.horizon_days,
        cast({{ dbt.dateadd('day', 'horizons.horizon_days', 'entries.business_date') }} as date) as judged_on

    from {{ ref('int_collection_delinquency_entries') }} as entries

    cross join horizons

    where {{ business_date_lookback_filter(horizons | max) }}

),

accounts as (

    select * from {{ ref('int_accounts_classified') }}
    {% if var('business_date', none) is not none -%}
    where {{ business_date_filter('business_date') }}
    {%- endif %}

),

entries_due as (

    select entries.*
    from entries
    {% if var('business_date', none) is none -%}
    -- backfill: the horizons reached by the latest loaded date
    where judged_on <= (select max(business_date) from accounts)
    {%- else -%}
    where {{ business_date_filter('judged_on') }}
    {%- endif %}

),

payments as (

    select * from {{ ref('stg_payments') }}
    where {{ business_date_lookback_filter(horizons | max) }}

),

recovered as (

    select
        entries_due.judged_on,
        entries_due.horizon_days,
        entries_due.account_id,
        entries_due.business_date,
        sum(payments.payment_amount) as recovered_amount

    from entries_due

    inner join payments
        on payments.account_id = entries_due.account_id
        and payments.business_date > entries_due.business_date
        and payments.business_date <= entries_due.judged_on

    group by entries_due.judged_on, entries_due.horizon_days, entries_due.account_id, entries_due.business_date

),

dpd_buckets as (

    select
        bucket_code,
        bucket_order,
        cast(nullif(trim(min_dpd), '') as integer) as min_dpd,
        cast(nullif(trim(max_dpd), '') as integer) as max_dpd

    from {{ ref('dpd_buckets') }}
    where nullif(trim(account_status), '') is null

),

judged as (

    select
        entries_due.judged_on as business_date,
        entries_due.business_date as entry_date,
        entries_due.entry_month,
        entries_due.horizon_days,
        entries_due.balance_at_entry,
        coalesce(recovered.recovered_amount, 0) as recovered_amount,
        accounts.bucket_code = 'CURRENT' as is_cured,
        accounts.account_status = 'OPEN'
        and accounts.days_past_due > 0
        and accounts.bucket_order < unpaid.bucket_order as is_rolled_back

    from entries_due

    left join accounts
        on accounts.account_id = entries_due.account_id
        and accounts.business_date = entries_due.judged_on

    left join recovered
        on recovered.account_id = entries_due.account_id
        and recovered.business_date = entries_due.business_date
        and recovered.horizon_days = entries_due.horizon_days

    -- the bucket the account would be in had it paid nothing since entry
    left join dpd_buckets as unpaid
        on entries_due.days_past_due_at_entry + entries_due.horizon_days >= unpaid.min_dpd
        and (
            unpaid.max_dpd is null
            or entries_due.days_past_due_at_entry + entries_due.horizon_days <= unpaid.max_dpd
        )

),

final as (

    select
        business_date,
        entry_date,
        entry_month,
        horizon_days,
        cast(count(*) as integer) as entered_accounts,
        cast(sum(balance_at_entry) as numeric(20, 2)) as balance_at_entry,
        cast(sum(recovered_amount) as numeric(20, 2)) as recovered_amount,
        cast(count(*) filter (where is_cured) as integer) as cured_accounts,
        cast(count(*) filter (where is_rolled_back) as integer) as rolled_back_accounts,
        cast(sum(recovered_amount) / nullif(sum(balance_at_entry), 0) as double precision) as recovery_share,
        cast(count(*) filter (where is_cured) as double precision) / count(*) as cure_rate,
        cast(count(*) filter (where is_rolled_back) as double precision) / count(*) as roll_back_rate

    from judged

    group by business_date, entry_date, entry_month, horizon_days

)

select * from final
