{#- The full delinquent inventory on the business date: every account past due (OPEN, 1+ DPD) or charged
    off and still owing, with its bucket, balance, early-warning tier and score, current holder (team,
    agency or legal), last collection action and outcome, and next action (channel, date, reason from
    mart_collections_next_actions), in work order: queue_position. No contact details (a BI mart).
    Delete+insert on business_date. -#}
{{ config(unique_key='business_date') }}

with

delinquent as (

    select * from {{ ref('fct_account_daily') }}
    where {{ business_date_filter() }}
        and (
            (account_status = 'OPEN' and days_past_due >= 1)
            or (account_status = 'CHARGED_OFF' and current_balance > 0)
        )

),

daily_scores as (

    select * from {{ ref('mart_early_warning_daily') }}
    where {{ business_date_filter() }}

),

next_actions as (

    select * from {{ ref('mart_collections_next_actions') }}
    where {{ business_date_filter() }}

),

inventory as (

    select
        delinquent.business_date,
        delinquent.account_id,
        delinquent.customer_id,
        delinquent.account_status,
        delinquent.bucket_code,
        delinquent.bucket_order,
        delinquent.days_past_due,
        delinquent.payment_due_date,
        delinquent.current_balance,
        delinquent.amount_past_due,
        coalesce(delinquent.fraud_flag, false) as fraud_flag,
        daily_scores.score,
        daily_scores.tier,
        daily_scores.top_reason_codes,
        daily_scores.override_flag,
        daily_scores.override_reason,
        daily_scores.days_to_due,
        coalesce(daily_scores.is_new_high, false) as is_new_high,
        next_actions.holder_id,
        next_actions.current_holder_type as holder_type,
        next_actions.held_since,
        next_actions.last_action_ts,
        next_actions.last_action_channel,
        next_actions.last_action_outcome,
        coalesce(next_actions.channel, next_actions.planned_channel) as next_action_channel,
        case when next_actions.channel is not null then next_actions.list_date else next_actions.next_action_date end
            as next_action_date,
        next_actions.reason_code as next_action_reason

    from delinquent

    left join daily_scores
        on daily_scores.business_date = delinquent.business_date
        and daily_scores.account_id = delinquent.account_id

    left join next_actions
        on next_actions.business_date = delinquent.business_date
        and next_actions.account_id = delinquent.account_id

),

prioritized as (

    select
        *,
        -- work due first, then the deepest bucket, the highest score, the largest balance
        row_number() over (
            partition by business_date
            order by
                case when next_action_date is null then 1 else 0 end asc,
                next_action_date asc,
                bucket_order desc,
                coalesce(score, -1) desc,
                current_balance desc,
                account_id asc
        ) as queue_position

    from inventory

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(queue_position as integer) as queue_position,
        cast(account_id as varchar) as account_id,
        cast(customer_id as varchar) as customer_id,
        cast(account_status as varchar) as account_status,
        cast(bucket_code as varchar) as bucket_code,
        cast(days_past_due as integer) as days_past_due,
        cast(current_balance as numeric(18, 2)) as current_balance,
        cast(amount_past_due as numeric(18, 2)) as amount_past_due,
        cast(payment_due_date as date) as payment_due_date,
        cast(days_to_due as integer) as days_to_due,
        cast(fraud_flag as boolean) as fraud_flag,
        cast(score as integer) as score,
        cast(tier as varchar) as tier,
        cast(top_reason_codes as varchar) as top_reason_codes,
        cast(override_flag as boolean) as override_flag,
        cast(override_reason as varchar) as override_reason,
        cast(is_new_high as boolean) as is_new_high,
        cast(holder_id as varchar) as holder_id,
        cast(holder_type as varchar) as holder_type,
        cast(held_since as date) as held_since,
        cast(last_action_ts as timestamp) as last_action_ts,
        cast(last_action_channel as varchar) as last_action_channel,
        cast(last_action_outcome as varchar) as last_action_outcome,
        cast(next_action_channel as varchar) as next_action_channel,
        cast(next_action_date as date) as next_action_date,
        cast(next_action_reason as varchar) as next_action_reason

    from prioritized

)

select * from final
