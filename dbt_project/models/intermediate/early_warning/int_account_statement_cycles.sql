{#- Statement-cycle facts per account: one row per statement, written on the business date the statement
    first appears in the snapshot (last_statement_date differs from the previous business date's). The
    row holds the new statement (balance, minimum, due date, utilization) and the outcome of the cycle it
    closes, (prior statement date, statement date]: net payments (reversals netted, recoveries left out),
    reversals, and cash advances / purchases as the cycle-to-date counters stood on the last business
    date before the reset.

    Payments count in the cycle in which the money was received (effective_date), as far as they were
    posted by the statement date: the row is written once, when the statement appears. A payment posted
    in this cycle but received in the previous one (back-dated across the cut, e.g. paid on the Saturday
    before a Sunday cut, posted on Monday) is kept apart in prior_cycle_late_payment_amount, so
    int_account_cycle_features can give it back to the cycle it belongs to; the two amounts together are
    every payment posted in the cycle, each counted once.

    Cost: a daily run reads the run date and the previous business date of the staged accounts (the date
    filter reaches the raw scan: no join between them), plus at most 62 days of payments for the accounts
    cutting a statement that day (~1/28 of the book). -#}
{{ config(unique_key='business_date') }}

with

account_days as (

    select
        business_date,
        account_id,
        cast({{ months_between('open_date', 'business_date') }} as integer) as months_on_book,
        credit_limit,
        current_balance,
        last_statement_date,
        statement_balance,
        minimum_payment_due,
        payment_due_date,
        days_past_due,
        ctd_purchase_amount,
        ctd_cash_advance_amount,
        ctd_cash_advance_count

    from {{ ref('stg_accounts') }}

    where {{ since_previous_business_date_filter(ref('stg_accounts')) }}

),

with_previous_day as (

    select
        *,
        lag(last_statement_date) over account_history as prior_statement_date,
        lag(statement_balance) over account_history as prior_statement_balance,
        lag(minimum_payment_due) over account_history as prior_minimum_payment_due,
        lag(ctd_purchase_amount) over account_history as cycle_purchase_amount,
        lag(ctd_cash_advance_amount) over account_history as cycle_cash_advance_amount,
        lag(ctd_cash_advance_count) over account_history as cycle_cash_advance_count

    from account_days

    window account_history as (partition by account_id order by business_date)

),

new_statements as (

    select * from with_previous_day
    where last_statement_date is not null
        and (prior_statement_date is null or last_statement_date <> prior_statement_date)
        and {{ business_date_filter() }}

),

payments as (

    select
        account_id,
        posting_date,
        effective_date,
        payment_amount,
        is_reversal

    from {{ ref('stg_payments') }}

    where not coalesce(is_recovery, false)
        and {{ business_date_lookback_filter(62) }}

),

cycle_payments as (

    select
        new_statements.account_id,
        new_statements.last_statement_date as statement_date,
        sum(
            case when payments.effective_date > new_statements.prior_statement_date then payments.payment_amount end
        ) as cycle_payment_amount,
        sum(
            case when payments.effective_date <= new_statements.prior_statement_date then payments.payment_amount end
        ) as prior_cycle_late_payment_amount,
        count(case when payments.is_reversal then 1 end) as cycle_reversal_count

    from new_statements

    inner join payments
        on payments.account_id = new_statements.account_id
        and payments.posting_date > new_statements.prior_statement_date
        and payments.posting_date <= new_statements.last_statement_date

    group by 1, 2

),

final as (

    select
        cast(new_statements.business_date as date) as business_date,
        cast(new_statements.account_id as varchar) as account_id,
        cast(new_statements.last_statement_date as date) as statement_date,
        cast(new_statements.months_on_book as integer) as months_on_book,
        cast(new_statements.credit_limit as numeric(18, 2)) as credit_limit,
        cast(new_statements.statement_balance as numeric(18, 2)) as statement_balance,
        cast(new_statements.minimum_payment_due as numeric(18, 2)) as minimum_payment_due,
        cast(new_statements.payment_due_date as date) as payment_due_date,
        cast(
            case
                when new_statements.credit_limit > 0
                    then cast(new_statements.statement_balance as double precision)
                    / cast(new_statements.credit_limit as double precision)
            end as double precision
        ) as statement_utilization,
        coalesce(new_statements.statement_balance > new_statements.credit_limit, false) as is_over_limit,
        cast(new_statements.days_past_due as integer) as days_past_due,
        cast(new_statements.prior_statement_date as date) as prior_statement_date,
        cast(new_statements.prior_statement_balance as numeric(18, 2)) as prior_statement_balance,
        cast(new_statements.prior_minimum_payment_due as numeric(18, 2)) as prior_minimum_payment_due,
        -- unknown (null) when the previous statement was not seen; zero when nothing was paid
        {%- for amount in ['cycle_payment_amount', 'prior_cycle_late_payment_amount'] %}
        cast(
            case
                when new_statements.prior_statement_date is not null
                    then coalesce(cycle_payments.{{ amount }}, 0)
            end as numeric(18, 2)
        ) as {{ amount }},
        {%- endfor %}
        cast(coalesce(cycle_payments.cycle_reversal_count, 0) as integer) as cycle_reversal_count,
        cast(new_statements.cycle_purchase_amount as numeric(18, 2)) as cycle_purchase_amount,
        cast(new_statements.cycle_cash_advance_amount as numeric(18, 2)) as cycle_cash_advance_amount,
        cast(new_statements.cycle_cash_advance_count as integer) as cycle_cash_advance_count

    from new_statements

    left join cycle_payments
        on cycle_payments.account_id = new_statements.account_id
        and cycle_payments.statement_date = new_statements.last_statement_date

)

select * from final
