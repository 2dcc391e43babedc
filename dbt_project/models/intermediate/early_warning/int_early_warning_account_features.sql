{#- What the early-warning signals look at, per OPEN account and business date: the account's day (staged
    accounts) and the features of its latest statement (int_account_cycle_features, computed when the
    statement appeared; none when that statement is older than the look-back, so no cycle is left in the
    window), plus the days to the payment due date. fct_early_warning_signals adds the payment reversals
    and turns these values into fired signals.

    Kept per business date (delete+insert), so why an account fired can be read back. Cost: a daily run
    reads the run's date of the staged accounts (the filter reaches the raw scan) and one feature row per
    account, about one cycle of feature rows, and writes the day's OPEN accounts. -#}
{{ config(unique_key='business_date') }}

with

policy as (

    {{ early_warning_policy() }}

),

scored_accounts as (

    select
        business_date,
        account_id,
        open_date,
        cast({{ months_between('open_date', 'business_date') }} as integer) as months_on_book,
        current_balance,
        last_statement_date,
        minimum_payment_due,
        payment_due_date,
        days_past_due,
        ctd_cash_advance_count,
        ctd_payment_amount,
        last_payment_date

    from {{ ref('stg_accounts') }}

    where account_status = 'OPEN'
        and {{ business_date_filter() }}

),

cycle_features as (

    -- the features of each account's latest statement (computed when the statement appeared)
    select * from {{ ref('int_account_cycle_features') }}
    {%- if var('business_date', none) is not none %}
    -- scan bounds: the oldest latest statement of the day, and never beyond the look-back
    where business_date <= {{ business_date_literal() }}
        and statement_date >= (select min(last_statement_date) from scored_accounts)
        and statement_date > cast(
            {{ dbt.dateadd('day', '-31 * (select lookback_cycles from policy)', business_date_literal()) }}
            as date
        )
    {%- endif %}

),

final as (

    select
        scored_accounts.*,
        cycle_features.latest_utilization,
        cycle_features.prior_avg_utilization,
        cycle_features.prior_utilization_cycles,
        cycle_features.overlimit_count,
        cycle_features.min_pay_only_count,
        cycle_features.partial_pay_count,
        cycle_features.latest_pay_ratio,
        cycle_features.prior_avg_pay_ratio,
        cycle_features.last_cycle_cash_advance_count,
        cycle_features.first_paid_rank,
        cycle_features.consec_window_cycles,
        cycle_features.latest_statement_balance,
        cycle_features.base_statement_balance,
        cycle_features.earliest_delinquent_mob,
        {{ dbt.datediff('scored_accounts.business_date', 'scored_accounts.payment_due_date', 'day') }}
            as days_to_due

    from scored_accounts

    cross join policy

    left join cycle_features
        on cycle_features.account_id = scored_accounts.account_id
        and cycle_features.statement_date = scored_accounts.last_statement_date
        -- a statement older than the look-back has no cycle left in the window
        and cycle_features.statement_date > cast(
            {{ dbt.dateadd('day', '-31 * policy.lookback_cycles', 'scored_accounts.business_date') }} as date
        )

)

select * from final
