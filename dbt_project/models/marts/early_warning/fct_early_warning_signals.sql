{#- Fired early-warning signals (credit-domain.md §5), long format: one row per account, business date and
    reason code that fired. Scope: accounts OPEN on the business date. Definitions, thresholds, windows
    and points: seed early_warning_signals (its YAML documents every signal value).

    Cost: a daily run reads the run date of fct_account_daily, the statement cycles of the last
    (longest cycle window + 1) x 31 days from int_account_statement_cycles (one row per account and
    statement, so ~14 rows per account whatever the history) and the reversals of the PAY_REVERSAL
    window; it replaces its own date (delete+insert on business_date). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='business_date',
        on_schema_change='fail',
    )
}}

{%- set business_date = var('business_date', none) %}

with

signal_policy as (

    select * from {{ ref('early_warning_signals') }}

),

policy as (

    -- one row holding every window / parameter the set-based computations below need
    select
        max(case when signal_code = 'UTIL_TREND_UP' then window_length end) as util_trend_cycles,
        max(case when signal_code = 'OVERLIMIT' then window_length end) as overlimit_cycles,
        max(case when signal_code = 'MIN_PAY_ONLY' then window_length end) as min_pay_only_cycles,
        max(case when signal_code = 'MIN_PAY_ONLY' then parameter_value end) as min_pay_only_band,
        max(case when signal_code = 'PARTIAL_PAY' then window_length end) as partial_pay_cycles,
        max(case when signal_code = 'PAY_RATIO_LOW' then window_length end) as pay_ratio_cycles,
        max(case when signal_code = 'PAY_REVERSAL' then window_length end) as pay_reversal_days,
        max(case when signal_code = 'CONSEC_MISS_n' then window_length end) as consec_miss_cycles,
        max(case when signal_code = 'BAL_GROWTH' then window_length end) as bal_growth_cycles,
        max(case when signal_code = 'BAL_GROWTH' then parameter_value end) as bal_growth_min_base,
        max(case when signal_code = 'EARLY_DELINQ_MOB' then window_length end) as early_delinq_cycles,
        max(case when signal_code = 'DUE_SOON_AT_RISK' then parameter_value end) as due_soon_other_signals,
        -- statement cycles to look back: the longest window plus the cycle a comparison starts from
        max(case when signal_code not in ('PAY_REVERSAL', 'DAYS_SINCE_LAST_PAY', 'DUE_SOON_AT_RISK')
            then window_length end) + 1 as lookback_cycles

    from signal_policy

),

scored_accounts as (

    select
        business_date,
        account_id,
        open_date,
        months_on_book,
        current_balance,
        minimum_payment_due,
        payment_due_date,
        days_past_due,
        ctd_cash_advance_count,
        ctd_payment_amount,
        last_payment_date

    from {{ ref('fct_account_daily') }}

    where account_status = 'OPEN'
    {%- if business_date is not none %}
        and business_date = {{ business_date_literal() }}
    {%- endif %}

),

statement_cycles as (

    select * from {{ ref('int_account_statement_cycles') }}
    {%- if business_date is not none %}
    where statement_date <= {{ business_date_literal() }}
        and statement_date > cast(
            {{ dbt.dateadd('day', '-31 * (select lookback_cycles from policy)', business_date_literal()) }}
            as date
        )
    {%- endif %}

),

ranked_cycles as (

    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        statement_cycles.statement_date,
        statement_cycles.months_on_book,
        statement_cycles.statement_balance,
        statement_cycles.statement_utilization,
        statement_cycles.is_over_limit,
        statement_cycles.days_past_due,
        statement_cycles.prior_statement_balance,
        statement_cycles.prior_minimum_payment_due,
        statement_cycles.cycle_payment_amount,
        statement_cycles.cycle_cash_advance_count,
        case
            when statement_cycles.prior_statement_balance > 0
                then cast(statement_cycles.cycle_payment_amount as double precision)
                / cast(statement_cycles.prior_statement_balance as double precision)
        end as pay_ratio,
        coalesce(
            statement_cycles.prior_minimum_payment_due > 0
            and statement_cycles.cycle_payment_amount < statement_cycles.prior_minimum_payment_due,
            false
        ) as missed_minimum,
        -- 1 = the latest statement on or before the business date
        row_number() over (
            partition by scored_accounts.business_date, scored_accounts.account_id
            order by statement_cycles.statement_date desc
        ) as cycle_rank

    from scored_accounts

    cross join policy

    inner join statement_cycles
        on statement_cycles.account_id = scored_accounts.account_id
        and statement_cycles.statement_date <= scored_accounts.business_date
        and statement_cycles.statement_date > cast(
            {{ dbt.dateadd('day', '-31 * policy.lookback_cycles', 'scored_accounts.business_date') }} as date
        )

),

cycle_features as (

    select
        ranked_cycles.business_date,
        ranked_cycles.account_id,
        max(case when cycle_rank = 1 then statement_utilization end) as latest_utilization,
        avg(case when cycle_rank between 2 and 1 + policy.util_trend_cycles then statement_utilization end)
            as prior_avg_utilization,
        count(case when cycle_rank between 2 and 1 + policy.util_trend_cycles then statement_utilization end)
            as prior_utilization_cycles,
        count(case when cycle_rank <= policy.overlimit_cycles and is_over_limit then 1 end) as overlimit_count,
        count(
            case
                when cycle_rank <= policy.min_pay_only_cycles
                    and prior_minimum_payment_due > 0
                    and cycle_payment_amount >= prior_minimum_payment_due
                    and cycle_payment_amount
                        < cast(policy.min_pay_only_band as numeric(10, 4)) * prior_minimum_payment_due
                    and cycle_payment_amount < prior_statement_balance
                    then 1
            end
        ) as min_pay_only_count,
        count(
            case
                when cycle_rank <= policy.partial_pay_cycles
                    and cycle_payment_amount > 0
                    and cycle_payment_amount < prior_minimum_payment_due
                    then 1
            end
        ) as partial_pay_count,
        max(case when cycle_rank = 1 then pay_ratio end) as latest_pay_ratio,
        avg(case when cycle_rank between 2 and 1 + policy.pay_ratio_cycles then pay_ratio end)
            as prior_avg_pay_ratio,
        max(case when cycle_rank = 1 then cycle_cash_advance_count end) as last_cycle_cash_advance_count,
        min(case when cycle_rank <= policy.consec_miss_cycles and not missed_minimum then cycle_rank end)
            as first_paid_rank,
        count(case when cycle_rank <= policy.consec_miss_cycles then 1 end) as consec_window_cycles,
        max(case when cycle_rank = 1 then statement_balance end) as latest_statement_balance,
        max(case when cycle_rank = 1 + policy.bal_growth_cycles then statement_balance end) as base_statement_balance,
        min(
            case
                when cycle_rank <= policy.early_delinq_cycles and (days_past_due > 0 or missed_minimum)
                    then months_on_book
            end
        ) as earliest_delinquent_mob

    from ranked_cycles

    cross join policy

    group by 1, 2

),

reversals as (

    select
        scored_accounts.business_date,
        scored_accounts.account_id,
        count(*) as reversal_count

    from scored_accounts

    cross join policy

    inner join {{ ref('stg_payments') }} as payments
        on payments.account_id = scored_accounts.account_id
        and payments.is_reversal
        and payments.payment_date <= scored_accounts.business_date
        and payments.payment_date > cast(
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

account_features as (

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
        coalesce(reversals.reversal_count, 0) as reversal_count,
        {{ dbt.datediff('scored_accounts.business_date', 'scored_accounts.payment_due_date', 'day') }}
            as days_to_due

    from scored_accounts

    left join cycle_features
        on cycle_features.business_date = scored_accounts.business_date
        and cycle_features.account_id = scored_accounts.account_id

    left join reversals
        on reversals.business_date = scored_accounts.business_date
        and reversals.account_id = scored_accounts.account_id

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
