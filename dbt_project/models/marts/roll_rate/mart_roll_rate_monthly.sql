{#- Month-end to month-end, account-tracked roll-rate matrix (docs/domain.md §4).

    Cost: the matrix of month t needs only the month-end snapshots t-1 and t. A daily run whose business
    date is not a calendar month end selects nothing (the filter is decided at compile time, so no scan);
    on a month end it rebuilds that month only (delete+insert keyed on to_month_end). Without the
    business_date var every month end is built (backfill / full refresh). -#}
{{ config(unique_key='to_month_end') }}

{%- set business_date = var('business_date', none) -%}
{%- if business_date is not none -%}
    {%- set run_day = modules.datetime.date.fromisoformat(business_date | string) -%}
    {%- set run_is_month_end = (run_day + modules.datetime.timedelta(days=1)).month != run_day.month -%}
{%- endif %}

with

dpd_buckets as (

    select * from {{ ref('dpd_buckets') }}

),

month_end_accounts as (

    select
        business_date,
        account_id,
        bucket_code,
        -- balance = outstanding receivable: a credit balance weighs nothing
        greatest(current_balance, 0) as balance

    from {{ ref('fct_account_daily') }}

    where is_month_end
    {%- if business_date is not none %}
        {%- if run_is_month_end %}
        -- the run's month end and the one before it (at most two months back)
        and {{ business_date_lookback_filter(62) }}
        {%- else %}
        and 1 = 0
        {%- endif %}
    {%- endif %}

),

month_pairs as (

    select
        lag(month_end) over (order by month_end) as from_month_end,
        month_end as to_month_end

    from (select distinct business_date as month_end from month_end_accounts) as month_ends

),

target_pairs as (

    select * from month_pairs
    where from_month_end is not null
        and {{ business_date_filter('to_month_end') }}

),

account_transitions as (

    -- every account present at t-1 is tracked to t; absent at t = MISSING, so each from-row is complete
    select
        target_pairs.from_month_end,
        target_pairs.to_month_end,
        opening.account_id,
        opening.bucket_code as from_bucket,
        coalesce(closing.bucket_code, 'MISSING') as to_bucket,
        opening.balance as opening_balance,
        coalesce(closing.balance, 0) as closing_balance

    from target_pairs

    inner join month_end_accounts as opening
        on opening.business_date = target_pairs.from_month_end

    left join month_end_accounts as closing
        on closing.business_date = target_pairs.to_month_end
        and closing.account_id = opening.account_id

),

cells as (

    select
        from_month_end,
        to_month_end,
        from_bucket,
        to_bucket,
        count(*) as accounts,
        sum(opening_balance) as opening_balance,
        sum(closing_balance) as closing_balance

    from account_transitions

    group by 1, 2, 3, 4

),

row_totals as (

    select
        *,
        sum(accounts) over (partition by to_month_end, from_bucket) as from_accounts,
        sum(opening_balance) over (partition by to_month_end, from_bucket) as from_opening_balance

    from cells

),

missing_state as (

    -- MISSING sorts after every bucket of the seed
    select max(bucket_order) + 1 as bucket_order from dpd_buckets

),

classified as (

    select
        row_totals.*,
        from_state.bucket_order as from_bucket_order,
        coalesce(to_state.bucket_order, missing_state.bucket_order) as to_bucket_order,
        {{ transition_type('row_totals.from_bucket', 'row_totals.to_bucket', 'to_state.min_dpd',
                           'from_state.bucket_order', 'to_state.bucket_order') }} as transition_type

    from row_totals

    cross join missing_state

    inner join dpd_buckets as from_state
        on from_state.bucket_code = row_totals.from_bucket

    left join dpd_buckets as to_state
        on to_state.bucket_code = row_totals.to_bucket

),

final as (

    select
        cast(from_month_end as date) as from_month_end,
        cast(to_month_end as date) as to_month_end,
        cast(from_bucket as varchar) as from_bucket,
        cast(to_bucket as varchar) as to_bucket,
        cast(from_bucket_order as integer) as from_bucket_order,
        cast(to_bucket_order as integer) as to_bucket_order,
        cast(transition_type as varchar) as transition_type,
        cast(accounts as bigint) as accounts,
        cast(opening_balance as numeric(20, 2)) as opening_balance,
        cast(closing_balance as numeric(20, 2)) as closing_balance,
        cast(from_accounts as bigint) as from_accounts,
        cast(from_opening_balance as numeric(20, 2)) as from_opening_balance,
        cast(accounts as double precision) / from_accounts as count_rate,
        case
            when from_opening_balance > 0
                then cast(opening_balance as double precision) / cast(from_opening_balance as double precision)
        end as balance_rate

    from classified

)

select * from final
