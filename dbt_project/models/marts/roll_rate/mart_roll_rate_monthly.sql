{#- Month-end to month-end, account-tracked roll-rate matrix (docs/domain.md §4).

    Cost: the matrix of month t needs only the month-end snapshots t-1 and t. A daily run whose business
    date is not a calendar month end selects nothing (the filter is decided at compile time, so no scan);
    on a month end it rebuilds that month only (delete+insert keyed on to_month_end). Without the
    business_date var every month end is built (backfill / full refresh). -#}
{{ config(unique_key='to_month_end', tags=['month_end_only']) }}

with

month_end_accounts as (

    -- on a month end: the run's month end and the one before it (at most two months back)
    {{ account_states(month_end_snapshots_filter(62)) }}

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

    {{ transition_cells('account_transitions', ['from_month_end', 'to_month_end'], missing_sorts_last=true) }}

),

row_totals as (

    select
        *,
        cast(sum(accounts) over (partition by to_month_end, from_bucket) as bigint) as from_accounts,
        cast(
            sum(opening_balance) over (partition by to_month_end, from_bucket) as numeric(20, 2)
        ) as from_opening_balance

    from cells

),

final as (

    select
        *,
        cast(accounts as double precision) / from_accounts as count_rate,
        case
            when from_opening_balance > 0
                then cast(opening_balance as double precision) / cast(from_opening_balance as double precision)
        end as balance_rate

    from row_totals

)

select * from final
