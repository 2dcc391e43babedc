{#- Accounts newly entering the high tier on the business date (high today, not high on the previous
    business date): the collections team's work list, in priority order. Delete+insert on business_date. -#}
{{ config(unique_key='business_date') }}

with

daily_scores as (

    select * from {{ ref('mart_early_warning_daily') }}
    where is_new_high
        and {{ business_date_filter() }}

),

prioritized as (

    select
        *,
        -- overridden accounts (already 30+ DPD or fraud) first, then by score, then the soonest due date
        row_number() over (
            partition by business_date
            order by
                case when override_flag then 0 else 1 end,
                score desc,
                days_past_due desc,
                days_to_due asc,
                account_id asc
        ) as queue_position

    from daily_scores

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(queue_position as integer) as queue_position,
        cast(account_id as varchar) as account_id,
        cast(customer_id as varchar) as customer_id,
        cast(score as integer) as score,
        cast(top_reason_codes as varchar) as top_reason_codes,
        cast(override_flag as boolean) as override_flag,
        cast(override_reason as varchar) as override_reason,
        cast(days_past_due as integer) as days_past_due,
        cast(payment_due_date as date) as payment_due_date,
        cast(days_to_due as integer) as days_to_due,
        cast(current_balance as numeric(18, 2)) as current_balance,
        cast(amount_past_due as numeric(18, 2)) as amount_past_due

    from prioritized

)

select * from final
