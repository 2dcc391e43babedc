{#- Early-warning score per OPEN account and business date: score = sum of the points of the signals
    that fired (fct_early_warning_signals), tier from seed early_warning_tiers, raised by the hard
    overrides of seed early_warning_overrides (default: DPD >= 30 or confirmed fraud -> high). Delinquent
    accounts stay in scope: 1-29 DPD are scored like any other, 30+ are forced high so collections never
    lose them to a low score. Closed, charged-off and transferred accounts are not scored.

    Cost: a daily run reads the run date's OPEN accounts and fired signals, plus the previous business
    date's tiers from this table (for is_new_high); delete+insert on business_date. -#}
{{ config(unique_key='business_date') }}

{%- set business_date = var('business_date', none) %}

with

tiers as (

    select * from {{ ref('early_warning_tiers') }}

),

overrides as (

    select * from {{ ref('early_warning_overrides') }}
    where is_enabled

),

scored_accounts as (

    select
        business_date,
        account_id,
        customer_id,
        days_past_due,
        payment_due_date,
        current_balance,
        amount_past_due,
        coalesce(fraud_flag, false) as fraud_flag

    from {{ ref('fct_account_daily') }}

    where account_status = 'OPEN'
        and {{ business_date_filter() }}

),

signals as (

    select * from {{ ref('fct_early_warning_signals') }}
    where {{ business_date_filter() }}

),

signal_scores as (

    select
        business_date,
        account_id,
        sum(points) as score,
        -- strongest first; equal points fall back to the reason code so the list is reproducible
        {{ dbt.listagg('reason_code', "','", 'order by points desc, reason_code', 3) }} as top_reason_codes

    from signals

    group by 1, 2

),

fired_overrides as (

    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        overrides.override_code,
        forced.tier_order as forced_tier_order

    from scored_accounts

    inner join overrides
        on (overrides.override_code = 'DPD_30_PLUS' and overrides.threshold <= scored_accounts.days_past_due)
        or (overrides.override_code = 'FRAUD_CONFIRMED' and scored_accounts.fraud_flag)

    inner join tiers as forced
        on forced.tier = overrides.forced_tier

),

override_summary as (

    select
        business_date,
        account_id,
        max(forced_tier_order) as forced_tier_order,
        {{ dbt.listagg('override_code', "','", 'order by override_code') }} as override_reason

    from fired_overrides

    group by 1, 2

),

scored as (

    select
        scored_accounts.*,
        coalesce(signal_scores.score, 0) as score,
        signal_scores.top_reason_codes,
        override_summary.override_reason,
        override_summary.forced_tier_order

    from scored_accounts

    left join signal_scores
        on signal_scores.business_date = scored_accounts.business_date
        and signal_scores.account_id = scored_accounts.account_id

    left join override_summary
        on override_summary.business_date = scored_accounts.business_date
        and override_summary.account_id = scored_accounts.account_id

),

score_tiers as (

    -- the highest tier whose cut-off the score reaches
    select
        scored.business_date,
        scored.account_id,
        max(tiers.tier_order) as score_tier_order

    from scored

    inner join tiers
        on tiers.min_score <= scored.score

    group by 1, 2

),

tiered as (

    select
        scored.*,
        final_tier.tier,
        scored.override_reason is not null as override_flag

    from scored

    left join score_tiers
        on score_tiers.business_date = scored.business_date
        and score_tiers.account_id = scored.account_id

    left join tiers as final_tier
        on final_tier.tier_order = case
            when coalesce(scored.forced_tier_order, 0) > coalesce(score_tiers.score_tier_order, 0)
                then scored.forced_tier_order
            else score_tiers.score_tier_order
        end

),

run_dates as (

    select
        business_date,
        {%- if business_date is not none %}
        (
            {{ previous_business_date(ref('fct_account_daily')) }}
        ) as previous_business_date
        {%- else %}
        lag(business_date) over (order by business_date) as previous_business_date
        {%- endif %}

    from (select distinct business_date from tiered) as dates

),

previous_tiers as (

    select
        business_date,
        account_id,
        tier
    from tiered
    {%- if changes_only_run() %}
    union all
    select
        business_date,
        account_id,
        tier
    from {{ this }}
    where business_date = (select max(previous_business_date) from run_dates)
    {%- endif %}

),

final as (

    select
        cast(tiered.business_date as date) as business_date,
        cast(tiered.account_id as varchar) as account_id,
        cast(tiered.customer_id as varchar) as customer_id,
        cast(tiered.score as integer) as score,
        cast(tiered.tier as varchar) as tier,
        -- A hard override with no fired signal still tells collections why: its override codes are the reasons.
        cast(coalesce(tiered.top_reason_codes, tiered.override_reason) as varchar) as top_reason_codes,
        cast(tiered.override_flag as boolean) as override_flag,
        cast(tiered.override_reason as varchar) as override_reason,
        cast(tiered.days_past_due as integer) as days_past_due,
        cast(tiered.payment_due_date as date) as payment_due_date,
        -- date - date is a day count in DuckDB and PostgreSQL alike
        cast(tiered.payment_due_date - tiered.business_date as integer) as days_to_due,
        cast(tiered.current_balance as numeric(18, 2)) as current_balance,
        cast(tiered.amount_past_due as numeric(18, 2)) as amount_past_due,
        cast(tiered.tier = 'high' and coalesce(previous_tiers.tier, 'none') <> 'high' as boolean) as is_new_high

    from tiered

    inner join run_dates
        on run_dates.business_date = tiered.business_date

    left join previous_tiers
        on previous_tiers.business_date = run_dates.previous_business_date
        and previous_tiers.account_id = tiered.account_id

)

select * from final
