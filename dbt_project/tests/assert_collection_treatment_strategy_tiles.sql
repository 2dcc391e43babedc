{#- Every (DPD bucket, early-warning tier, days to due) hits exactly one row of seed
    collection_treatment_strategy: each bucket of dpd_buckets, each tier of early_warning_tiers, days to
    due from -400 to 400 and none (no due date). Returns the combinations hitting zero or several rows. -#}
with

buckets as (

    select bucket_code from {{ ref('dpd_buckets') }}

),

tiers as (

    select tier from {{ ref('early_warning_tiers') }}

),

days_to_due as (

    select cast(generate_series as integer) as days_to_due from generate_series(-400, 400)
    union all
    select cast(null as integer) as days_to_due

),

space as (

    select
        buckets.bucket_code,
        tiers.tier,
        days_to_due.days_to_due

    from buckets
    cross join tiers
    cross join days_to_due

),

strategy as (

    select * from {{ ref('collection_treatment_strategy') }}

),

hits as (

    select
        space.bucket_code,
        space.tier,
        space.days_to_due,
        count(strategy.strategy_id) as matching_rows

    from space

    left join strategy
        on {{ collection_treatment_strategy_matches('strategy', 'space.bucket_code', 'space.tier', 'space.days_to_due') }}

    group by space.bucket_code, space.tier, space.days_to_due

)

select * from hits
where matching_rows <> 1
