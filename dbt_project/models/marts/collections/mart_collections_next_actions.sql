{{ config(unique_key='business_date') }}

{#- Tomorrow's treatment of every account the strategy treats, decided on the business date: the row of
    seed collection_treatment_strategy for the account's DPD bucket, early-warning tier, days to due as of
    the list date (business_date + 1) and current holder's type (the open collection assignment; a row
    held_by that type wins over a row for any holder, macro collection_treatment_strategy_rank), its cadence
    checked against the account's last action on that channel, and the call caps of seed
    collection_contact_rules (a voice channel at a cap on the list date falls back to the row's
    fallback_channel). Accounts whose row says NONE, fraud-flagged accounts (the fraud team's) and reminders
    to accounts that already paid their minimum are left out. The treatment and reminder lists
    (restricted.rpt_collections_*_list) and mart_collections_queue read it.

    Cost: a daily run reads the day's accounts and scores, the actions of the longest cadence or cap window
    (read from the seeds when the model compiles) and the assignments open on the day; delete+insert on
    business_date. -#}
{%- set lookback = 1 -%}
{%- if execute and var('business_date', none) is not none
    and load_relation(ref('collection_treatment_strategy')) is not none -%}
    {%- set longest = run_query(
        'select greatest((select max(cadence_days) from ' ~ ref('collection_treatment_strategy') ~ '),'
        ~ ' (select max(window_days) from ' ~ ref('collection_contact_rules') ~ '))') -%}
    {%- set lookback = longest.columns[0].values()[0] or 1 -%}
{%- endif %}

with

accounts as (

    select
        *,
        cast({{ dbt.dateadd('day', 1, 'business_date') }} as date) as list_date
    from {{ ref('fct_account_daily') }}
    where {{ business_date_filter() }}
        and (account_status = 'OPEN' or (account_status = 'CHARGED_OFF' and current_balance > 0))
        and not coalesce(fraud_flag, false)

),

scores as (

    select
        business_date,
        account_id,
        tier,
        score
    from {{ ref('mart_early_warning_daily') }}
    where {{ business_date_filter() }}

),

lowest_tier as (

    select tier from {{ ref('early_warning_tiers') }}
    order by tier_order
    limit 1

),

strategy as (

    select * from {{ ref('collection_treatment_strategy') }}

),

holders as (

    select * from {{ ref('collection_holders') }}

),

contact_caps as (

    select * from {{ ref('collection_contact_rules') }}
    where rule_type = 'FREQUENCY'

),

call_attempt_channels as (

    select * from {{ ref('collection_call_attempt_channels') }}

),

{# the window of actions the cadences and caps look back on (list date - lookback .. business date) -#}
recent_actions as (

    select * from {{ ref('stg_collection_actions') }}
    where {{ business_date_lookback_filter(lookback | int - 1) }}

),

{# an assignment is delivered when it opens and again when it closes: open on the day = its latest
    record up to the day has no valid_to -#}
assignments as (

    select * from {{ ref('stg_collection_assignments') }}
    where {{ business_date_filter(operator='<=') }}

),

classified as (

    select
        accounts.business_date,
        accounts.list_date,
        accounts.account_id,
        accounts.customer_id,
        accounts.person_id,
        accounts.bucket_code,
        accounts.bucket_order,
        accounts.days_past_due,
        accounts.payment_due_date,
        accounts.current_balance,
        accounts.amount_past_due,
        greatest(coalesce(accounts.minimum_payment_due, 0) - coalesce(accounts.ctd_payment_amount, 0), 0)
            as amount_due,
        scores.score,
        -- not scored (charged off): the lowest tier
        coalesce(scores.tier, (select tier from lowest_tier)) as tier,
        cast(accounts.payment_due_date - accounts.list_date as integer) as days_to_due

    from accounts

    left join scores
        on scores.business_date = accounts.business_date
        and scores.account_id = accounts.account_id

),

{# the current holder comes before the strategy row: a row may apply only to accounts held by one holder type -#}
assignment_records as (

    select
        classified.business_date,
        classified.account_id,
        assignments.holder_id,
        assignments.valid_from,
        assignments.valid_to,
        row_number() over (
            partition by classified.business_date, assignments.assignment_id
            order by assignments.business_date desc
        ) as newest_first

    from classified

    inner join assignments
        on assignments.account_id = classified.account_id
        and assignments.business_date <= classified.business_date

),

current_holders as (

    select
        assignment_records.business_date,
        assignment_records.account_id,
        assignment_records.holder_id,
        assignment_records.valid_from as held_since,
        holders.holder_type as current_holder_type

    from assignment_records

    left join holders
        on holders.holder_id = assignment_records.holder_id

    where assignment_records.newest_first = 1
        and assignment_records.valid_to is null

),

matched as (

    select
        classified.*,
        current_holders.holder_id,
        current_holders.current_holder_type,
        current_holders.held_since,
        strategy.strategy_id,
        strategy.channel as planned_channel,
        strategy.cadence_days,
        strategy.holder_type,
        strategy.fallback_channel,
        strategy.reason_code as planned_reason_code,
        strategy.is_reminder,
        {{ collection_treatment_strategy_rank('strategy', 'classified.business_date, classified.account_id') }}
            as precedence

    from classified

    left join current_holders
        on current_holders.business_date = classified.business_date
        and current_holders.account_id = classified.account_id

    inner join strategy
        on {{ collection_treatment_strategy_matches(
            'strategy', 'classified.bucket_code', 'classified.tier', 'classified.days_to_due',
            'current_holders.current_holder_type'
        ) }}

),

{# precedence before the NONE and paid-reminder filters: a winning NONE row means no contact -#}
treated as (

    select * from matched
    where precedence = 1
        and planned_channel <> 'NONE'
        and not (is_reminder and amount_due <= 0)

),

last_on_channel as (

    select
        treated.business_date,
        treated.account_id,
        max(recent_actions.business_date) as last_channel_action_date

    from treated

    inner join recent_actions
        on recent_actions.account_id = treated.account_id
        and recent_actions.channel = treated.planned_channel
        and recent_actions.business_date <= treated.business_date
        and recent_actions.business_date
            > cast({{ dbt.dateadd('day', '-treated.cadence_days', 'treated.list_date') }} as date)

    group by treated.business_date, treated.account_id

),

{# a cap's window on the list date reaches back window_days - 1 dates: at max_attempts already, no call -#}
cap_counts as (

    select
        treated.business_date,
        treated.account_id,
        contact_caps.rule_id

    from treated

    inner join call_attempt_channels
        on call_attempt_channels.channel = treated.planned_channel

    cross join contact_caps

    inner join recent_actions
        on recent_actions.account_id = treated.account_id
        and recent_actions.business_date <= treated.business_date
        and recent_actions.business_date
            > cast({{ dbt.dateadd('day', '-contact_caps.window_days', 'treated.list_date') }} as date)

    inner join call_attempt_channels as attempt_channels
        on attempt_channels.channel = recent_actions.channel

    group by treated.business_date, treated.account_id, contact_caps.rule_id, contact_caps.max_attempts
    having count(*) >= contact_caps.max_attempts

),

capped as (

    select
        business_date,
        account_id

    from cap_counts

    group by business_date, account_id

),

ranked_actions as (

    select
        treated.business_date,
        treated.account_id,
        recent_actions.action_ts as last_action_ts,
        recent_actions.channel as last_action_channel,
        recent_actions.outcome as last_action_outcome,
        row_number() over (
            partition by treated.business_date, treated.account_id
            order by recent_actions.action_ts desc, recent_actions.action_id desc
        ) as newest_first

    from treated

    inner join recent_actions
        on recent_actions.account_id = treated.account_id
        and recent_actions.business_date <= treated.business_date

),

last_actions as (

    select * from ranked_actions
    where newest_first = 1

),

decided as (

    select
        treated.*,
        capped.account_id is not null as is_capped,
        last_on_channel.last_channel_action_date,
        cast(
            case
                when last_on_channel.last_channel_action_date is null then treated.list_date
                else greatest(
                    treated.list_date,
                    {{ dbt.dateadd('day', 'treated.cadence_days', 'last_on_channel.last_channel_action_date') }}
                )
            end as date
        ) as next_action_date,
        last_actions.last_action_ts,
        last_actions.last_action_channel,
        last_actions.last_action_outcome

    from treated

    left join capped
        on capped.business_date = treated.business_date
        and capped.account_id = treated.account_id

    left join last_on_channel
        on last_on_channel.business_date = treated.business_date
        and last_on_channel.account_id = treated.account_id

    left join last_actions
        on last_actions.business_date = treated.business_date
        and last_actions.account_id = treated.account_id

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(list_date as date) as list_date,
        cast(account_id as varchar) as account_id,
        cast(customer_id as varchar) as customer_id,
        cast(person_id as varchar) as person_id,
        cast(bucket_code as varchar) as bucket_code,
        cast(bucket_order as integer) as bucket_order,
        cast(tier as varchar) as tier,
        cast(score as integer) as score,
        cast(days_past_due as integer) as days_past_due,
        cast(payment_due_date as date) as payment_due_date,
        cast(days_to_due as integer) as days_to_due,
        cast(current_balance as numeric(18, 2)) as current_balance,
        cast(amount_past_due as numeric(18, 2)) as amount_past_due,
        cast(amount_due as numeric(18, 2)) as amount_due,
        cast(strategy_id as varchar) as strategy_id,
        cast(is_reminder as boolean) as is_reminder,
        cast(holder_type as varchar) as holder_type,
        cast(holder_id as varchar) as holder_id,
        cast(current_holder_type as varchar) as current_holder_type,
        cast(held_since as date) as held_since,
        cast(planned_channel as varchar) as planned_channel,
        cast(cadence_days as integer) as cadence_days,
        cast(last_channel_action_date as date) as last_channel_action_date,
        cast(next_action_date as date) as next_action_date,
        cast(is_capped as boolean) as is_capped,
        -- what the list sends on the list date: the planned channel, its fallback at a cap, nothing when
        -- the cadence is not due yet
        cast(
            case
                when next_action_date > list_date then null
                when is_capped then fallback_channel
                else planned_channel
            end as varchar
        ) as channel,
        cast(
            case
                when is_capped and next_action_date <= list_date then planned_reason_code || '_CAPPED'
                else planned_reason_code
            end as varchar
        ) as reason_code,
        cast(last_action_ts as timestamp) as last_action_ts,
        cast(last_action_channel as varchar) as last_action_channel,
        cast(last_action_outcome as varchar) as last_action_outcome

    from decided

)

select * from final
