{#- Statement-cycle features of the early-warning signals, one row per account and statement: computed
    once, on the business date the statement first appears, over that account's last lookback_cycles
    statements (seed early_warning_signals' windows). The signals of a business date read the row of
    each account's latest statement instead of re-ranking its cycle history every day.

    Cost: a daily run reads the statements that appeared that day (~1/28 of the book) and those
    accounts' cycles of the last lookback_cycles x 31 days; delete+insert on business_date. -#}
{{ config(unique_key='business_date') }}

{%- set business_date = var('business_date', none) %}
{{- assert_cycle_policy_unchanged() }}

with

policy as (

    {{ early_warning_policy() }}

),

new_statements as (

    select
        business_date,
        account_id,
        statement_date

    from {{ ref('int_account_statement_cycles') }}

    where {{ business_date_filter() }}

),

statement_cycles as (

    select * from {{ ref('int_account_statement_cycles') }}
    {%- if business_date is not none %}
    where account_id in (select account_id from new_statements)
        and statement_date <= {{ business_date_literal() }}
        and statement_date > cast(
            {{ dbt.dateadd(
                'day',
                '-31 * (select lookback_cycles from policy)',
                '(select min(statement_date) from new_statements)',
            ) }} as date
        )
    {%- endif %}

),

ranked_cycles as (

    select
        new_statements.business_date,
        new_statements.account_id,
        new_statements.statement_date,
        statement_cycles.months_on_book,
        statement_cycles.statement_balance,
        statement_cycles.statement_utilization,
        statement_cycles.is_over_limit,
        statement_cycles.days_past_due,
        statement_cycles.prior_statement_balance,
        statement_cycles.prior_minimum_payment_due,
        -- payments received in the cycle: those posted by its statement date, plus those back-dated into
        -- it that posted in the next cycle (known for every cycle but the newest)
        statement_cycles.cycle_payment_amount + coalesce(
            lead(statement_cycles.prior_cycle_late_payment_amount) over (
                partition by new_statements.account_id, new_statements.statement_date
                order by statement_cycles.statement_date
            ),
            0
        ) as cycle_payment_amount,
        statement_cycles.cycle_cash_advance_count,
        -- 1 = the new statement itself
        row_number() over (
            partition by new_statements.account_id, new_statements.statement_date
            order by statement_cycles.statement_date desc
        ) as cycle_rank

    from new_statements

    cross join policy

    -- the cycles known on the statement's business date, so a daily run and a rebuild agree
    inner join statement_cycles
        on statement_cycles.account_id = new_statements.account_id
        and statement_cycles.business_date <= new_statements.business_date
        and statement_cycles.statement_date <= new_statements.statement_date
        and statement_cycles.statement_date > cast(
            {{ dbt.dateadd('day', '-31 * policy.lookback_cycles', 'new_statements.statement_date') }} as date
        )

),

scored_cycles as (

    select
        *,
        case
            when prior_statement_balance > 0
                then cast(cycle_payment_amount as double precision)
                / cast(prior_statement_balance as double precision)
        end as pay_ratio,
        coalesce(
            prior_minimum_payment_due > 0 and cycle_payment_amount < prior_minimum_payment_due, false
        ) as missed_minimum

    from ranked_cycles

),

cycle_features as (

    select
        scored_cycles.business_date,
        scored_cycles.account_id,
        scored_cycles.statement_date,
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
        ) as earliest_delinquent_mob,
        max(policy.cycle_policy_key) as cycle_policy_key

    from scored_cycles

    cross join policy

    group by 1, 2, 3

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(account_id as varchar) as account_id,
        cast(statement_date as date) as statement_date,
        cast(latest_utilization as double precision) as latest_utilization,
        cast(prior_avg_utilization as double precision) as prior_avg_utilization,
        cast(prior_utilization_cycles as integer) as prior_utilization_cycles,
        cast(overlimit_count as integer) as overlimit_count,
        cast(min_pay_only_count as integer) as min_pay_only_count,
        cast(partial_pay_count as integer) as partial_pay_count,
        cast(latest_pay_ratio as double precision) as latest_pay_ratio,
        cast(prior_avg_pay_ratio as double precision) as prior_avg_pay_ratio,
        cast(last_cycle_cash_advance_count as integer) as last_cycle_cash_advance_count,
        cast(first_paid_rank as integer) as first_paid_rank,
        cast(consec_window_cycles as integer) as consec_window_cycles,
        cast(latest_statement_balance as numeric(18, 2)) as latest_statement_balance,
        cast(base_statement_balance as numeric(18, 2)) as base_statement_balance,
        cast(earliest_delinquent_mob as integer) as earliest_delinquent_mob,
        cast(cycle_policy_key as varchar) as cycle_policy_key

    from cycle_features

)

select * from final
