{#- Every (DPD bucket, early-warning tier, days to due, current holder type) hits exactly one winning row of
    seed collection_treatment_strategy (after the held_by precedence of macro
    collection_treatment_strategy_rank): each bucket of dpd_buckets, each tier of early_warning_tiers, days
    to due from -400 to 400 and none (no due date), each holder_type of collection_holders and none (not
    held). Returns the combinations with zero or several winning rows. -#}
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

holder_types as (

    select distinct holder_type from {{ ref('collection_holders') }}
    union all
    select cast(null as varchar) as holder_type

),

space as (

    select
        buckets.bucket_code,
        tiers.tier,
        days_to_due.days_to_due,
        holder_types.holder_type

    from buckets
    cross join tiers
    cross join days_to_due
    cross join holder_types

),

strategy as (

    select * from {{ ref('collection_treatment_strategy') }}

),

matched as (

    select
        space.bucket_code,
        space.tier,
        space.days_to_due,
        space.holder_type,
        strategy.strategy_id,
        {{ collection_treatment_strategy_rank(
            'strategy', 'space.bucket_code, space.tier, space.days_to_due, space.holder_type'
        ) }} as precedence

    from space

    left join strategy
        on {{ collection_treatment_strategy_matches(
            'strategy', 'space.bucket_code', 'space.tier', 'space.days_to_due', 'space.holder_type'
        ) }}

),

hits as (

    select
        bucket_code,
        tier,
        days_to_due,
        holder_type,
        count(strategy_id) as winning_rows

    from matched

    where precedence = 1

    group by bucket_code, tier, days_to_due, holder_type

)

select * from hits
where winning_rows <> 1
