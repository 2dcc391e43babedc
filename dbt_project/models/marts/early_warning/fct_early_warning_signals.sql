{#- Fired early-warning signals (docs/domain.md §5), long format: one row per account, business date and
    reason code that fired. Scope: accounts OPEN on the business date. Definitions, thresholds, windows
    and points: seed early_warning_signals (its YAML documents every signal value).

    Cost: a daily run reads the run date's OPEN accounts with their latest statement's features
    (int_early_warning_account_features), the reversals of the PAY_REVERSAL window the judged promises
    and collection outcomes of the BROKEN_PROMISE / REFUSED_TO_PAY windows and the plan versions of the
    BROKEN_PLAN window; it replaces its own date
    (delete+insert on business_date). -#}
{{ config(unique_key='business_date') }}

{%- set business_date = var('business_date', none) %}

with

signal_policy as (

    select * from {{ ref('early_warning_signals') }}

),

policy as (

    {{ early_warning_policy() }}

),

scored_accounts as (

    -- the day's OPEN accounts with their latest statement's features
    select * from {{ ref('int_early_warning_account_features') }}
    where {{ business_date_filter() }}

),

reversals as (

    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        count(*) as reversal_count

    from scored_accounts

    -- the where clause's scalar subqueries read policy again, in their own scope
    cross join policy  -- noqa: AL04

    inner join {{ ref('stg_payments') }} as payments
        on payments.account_id = scored_accounts.account_id
        and payments.is_reversal
        and payments.posting_date <= scored_accounts.business_date
        and payments.posting_date > cast(
            {{ dbt.dateadd('day', '-1 * policy.pay_reversal_days', 'scored_accounts.business_date') }} as date
        )

    {%- if business_date is not none %}
    where payments.business_date <= {{ business_date_literal() }}
        and payments.business_date > cast(
            {{ dbt.dateadd('day', '-1 * (select pay_reversal_days from policy)', business_date_literal()) }}
            as date
        )
    {%- endif %}

    group by 1, 2

),

broken_promises as (

    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        count(*) as broken_promise_count

    from scored_accounts

    cross join policy  -- noqa: AL04

    inner join {{ ref('int_collection_promise_outcomes') }} as promises
        on promises.account_id = scored_accounts.account_id
        and not promises.is_kept
        and promises.business_date <= scored_accounts.business_date
        and promises.business_date > cast(
            {{ dbt.dateadd('day', '-1 * policy.broken_promise_days', 'scored_accounts.business_date') }} as date
        )

    {%- if business_date is not none %}
    where promises.business_date <= {{ business_date_literal() }}
        and promises.business_date > cast(
            {{ dbt.dateadd('day', '-1 * (select broken_promise_days from policy)', business_date_literal()) }}
            as date
        )
    {%- endif %}

    group by 1, 2

),

refusals as (

    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        count(*) as refused_count

    from scored_accounts

    cross join policy  -- noqa: AL04

    inner join {{ ref('stg_collection_actions') }} as actions
        on actions.account_id = scored_accounts.account_id
        and actions.outcome = 'REFUSED'
        and actions.business_date <= scored_accounts.business_date
        and actions.business_date > cast(
            {{ dbt.dateadd('day', '-1 * policy.refused_to_pay_days', 'scored_accounts.business_date') }} as date
        )

    {%- if business_date is not none %}
    where actions.business_date <= {{ business_date_literal() }}
        and actions.business_date > cast(
            {{ dbt.dateadd('day', '-1 * (select refused_to_pay_days from policy)', business_date_literal()) }}
            as date
        )
    {%- endif %}

    group by 1, 2

),

broken_plans as (

    -- repayment plans of the account that broke in the window (docs/domain.md §9): dated by status_date, read
    -- by delivery date (a plan's BROKEN version is delivered on or after the day it broke)
    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        count(*) as broken_plan_count

    from scored_accounts

    cross join policy  -- noqa: AL04

    inner join {{ ref('stg_repayment_plans') }} as plans
        on plans.account_id = scored_accounts.account_id
        and plans.plan_status = 'BROKEN'
        and plans.status_date <= scored_accounts.business_date
        and plans.status_date > cast(
            {{ dbt.dateadd('day', '-1 * policy.broken_plan_days', 'scored_accounts.business_date') }} as date
        )

    {%- if business_date is not none %}
    where plans.business_date <= {{ business_date_literal() }}
        and plans.business_date > cast(
            {{ dbt.dateadd('day', '-1 * (select broken_plan_days from policy)', business_date_literal()) }}
            as date
        )
    {%- endif %}

    group by 1, 2

),

account_features as (

    select
        scored_accounts.*,
        coalesce(reversals.reversal_count, 0) as reversal_count,
        coalesce(broken_promises.broken_promise_count, 0) as broken_promise_count,
        coalesce(refusals.refused_count, 0) as refused_count,
        coalesce(broken_plans.broken_plan_count, 0) as broken_plan_count

    from scored_accounts

    left join reversals
        on reversals.business_date = scored_accounts.business_date
        and reversals.account_id = scored_accounts.account_id

    left join broken_promises
        on broken_promises.business_date = scored_accounts.business_date
        and broken_promises.account_id = scored_accounts.account_id

    left join refusals
        on refusals.business_date = scored_accounts.business_date
        and refusals.account_id = scored_accounts.account_id

    left join broken_plans
        on broken_plans.business_date = scored_accounts.business_date
        and broken_plans.account_id = scored_accounts.account_id

),

signal_values as (

    -- one candidate row per account-day and signal; a null value never fires
    {%- set candidates = [
        ('UTIL_HIGH', 'latest_utilization'),
        ('UTIL_TREND_UP',
            'case when prior_utilization_cycles = policy.util_trend_cycles'
            ~ ' then latest_utilization - prior_avg_utilization end'),
        ('OVERLIMIT', 'overlimit_count'),
        ('MIN_PAY_ONLY', 'min_pay_only_count'),
        ('PARTIAL_PAY', 'partial_pay_count'),
        ('PAY_RATIO_LOW', 'case when latest_pay_ratio < prior_avg_pay_ratio then latest_pay_ratio end'),
        ('CASH_ADV',
            'case when coalesce(ctd_cash_advance_count, 0) > coalesce(last_cycle_cash_advance_count, 0)'
            ~ ' then ctd_cash_advance_count else last_cycle_cash_advance_count end'),
        ('PAY_REVERSAL', 'reversal_count'),
        ('BROKEN_PROMISE', 'broken_promise_count'),
        ('REFUSED_TO_PAY', 'refused_count'),
        ('BROKEN_PLAN', 'broken_plan_count'),
        ('CONSEC_MISS_n', 'coalesce(first_paid_rank - 1, consec_window_cycles)'),
        ('BAL_GROWTH',
            'case when base_statement_balance > 0'
            ~ ' and base_statement_balance >= coalesce(policy.bal_growth_min_base, 0) then'
            ~ ' cast(latest_statement_balance - base_statement_balance as double precision)'
            ~ ' / cast(base_statement_balance as double precision) end'),
        ('DAYS_SINCE_LAST_PAY',
            'case when current_balance > 0 and minimum_payment_due > 0 then '
            ~ dbt.datediff('coalesce(last_payment_date, open_date)', 'business_date', 'day') ~ ' end'),
        ('EARLY_DELINQ_MOB',
            'case when days_past_due > 0 and (earliest_delinquent_mob is null'
            ~ ' or months_on_book < earliest_delinquent_mob) then months_on_book'
            ~ ' else earliest_delinquent_mob end'),
    ] %}
    {%- for signal_code, value_sql in candidates %}
    select
        account_features.business_date,
        account_features.account_id,
        '{{ signal_code }}' as signal_code,
        cast({{ value_sql }} as double precision) as signal_value

    from account_features

    cross join policy
    {% if not loop.last %}
    union all
    {% endif %}
    {%- endfor %}

),

fired_base as (

    select
        signal_values.business_date,
        signal_values.account_id,
        signal_values.signal_code,
        case
            when signal_values.signal_code = 'CONSEC_MISS_n'
                then 'CONSEC_MISS_' || cast(cast(signal_values.signal_value as integer) as varchar)
            else signal_values.signal_code
        end as reason_code,
        signal_values.signal_value,
        signal_policy.threshold,
        signal_policy.points

    from signal_values

    inner join signal_policy
        on signal_policy.signal_code = signal_values.signal_code
        and signal_policy.is_enabled

    where (signal_policy.comparison = '>=' and signal_values.signal_value >= signal_policy.threshold)
        or (signal_policy.comparison = '<=' and signal_values.signal_value <= signal_policy.threshold)

),

fired_counts as (

    select
        business_date,
        account_id,
        count(*) as fired_signals

    from fired_base

    group by 1, 2

),

due_soon as (

    -- the pre-due reminder list: due within the threshold, minimum not yet paid, other signals fired
    select
        account_features.business_date,
        account_features.account_id,
        'DUE_SOON_AT_RISK' as signal_code,
        'DUE_SOON_AT_RISK' as reason_code,
        cast(account_features.days_to_due as double precision) as signal_value,
        signal_policy.threshold,
        signal_policy.points

    from account_features

    cross join policy

    inner join signal_policy
        on signal_policy.signal_code = 'DUE_SOON_AT_RISK'
        and signal_policy.is_enabled

    left join fired_counts
        on fired_counts.business_date = account_features.business_date
        and fired_counts.account_id = account_features.account_id

    where account_features.days_to_due >= 0
        and account_features.days_to_due <= signal_policy.threshold
        and account_features.minimum_payment_due > coalesce(account_features.ctd_payment_amount, 0)
        and coalesce(fired_counts.fired_signals, 0) >= coalesce(policy.due_soon_other_signals, 0)

),

fired as (

    select * from fired_base
    union all
    select * from due_soon

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(account_id as varchar) as account_id,
        cast(reason_code as varchar) as reason_code,
        cast(signal_code as varchar) as signal_code,
        cast(signal_value as double precision) as signal_value,
        cast(threshold as double precision) as threshold,
        cast(points as integer) as points

    from fired

)

select * from final
