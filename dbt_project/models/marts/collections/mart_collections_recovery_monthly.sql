{{ config(unique_key='placement_month') }}

{#- 回款率 per placement cohort (holder, placement month, bucket at placement), to date. A daily
    run recomputes the placement months its date touched (placed or paid that day) from all their daily rows
    (mart_collections_recovery_daily: a few rows per cohort and day), so re-running a date gives the same
    rows; without the var every month. -#}

with

daily as (

    select * from {{ ref('mart_collections_recovery_daily') }}

),

touched_months as (

    select distinct placement_month from daily
    where {{ business_date_filter('business_date') }}

),

cohorts as (

    select
        daily.placement_month,
        daily.holder_id,
        daily.holder_type,
        daily.bucket_at_placement,
        max(daily.business_date) as last_activity_date,
        cast(sum(daily.accounts_placed) as integer) as accounts_placed,
        cast(sum(daily.placement_balance) as numeric(20, 2)) as placement_balance,
        cast(sum(daily.payments_posted) as integer) as payments_posted,
        cast(sum(daily.recovered_amount) as numeric(20, 2)) as recovered_amount

    from daily

    inner join touched_months
        on touched_months.placement_month = daily.placement_month

    group by daily.placement_month, daily.holder_id, daily.holder_type, daily.bucket_at_placement

),

final as (

    select
        placement_month,
        cast(holder_id as varchar) as holder_id,
        cast(holder_type as varchar) as holder_type,
        cast(bucket_at_placement as varchar) as bucket_at_placement,
        last_activity_date,
        accounts_placed,
        placement_balance,
        payments_posted,
        recovered_amount,
        cast(recovered_amount / nullif(placement_balance, 0) as double precision) as recovery_rate

    from cohorts

)

select * from final
