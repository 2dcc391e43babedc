{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- Metro 2 Base Segment inputs: one row per account per bureau reporting period, column names = the
    inputs of creditwh.reporting.metro2.write_metro2. Built only when the run's business_date is a month
    end (the bureau period); any other day is a no-op.

    Who: the accounts of persons whose bureau is METRO2 (int_person_bureau_jurisdiction); the other persons'
    accounts never reach the US bureau.
    Which state: the account's last state in the period - the period end, or the day it closed or was
    transferred during the period (the snapshots deliver such accounts on that day only), so an account
    closed, paid off, sold or closed for fraud gets its final record (13 / 64 / 05 / DF) in the period it
    happened. A final record is the last: an account whose previous period's record was final, or whose
    final event predates the period without ever being reported, is not reported.
    History: the Payment History Profile, Highest Credit and the dispute code transitions come from this
    model's row of the previous period, so a period's cost does not grow with the length of the history;
    an account's first reported period starts its profile from the state the period's first snapshot shows
    (macro metro2_history_char_before_snapshot) when the account existed before the period. The Date of
    First Delinquency comes from the daily history (int_account_delinquency_start).
    Periods must be built in date order: a build without business_date (full refresh) leaves the table
    empty and periods are replayed one by one. -#}

{#- The bureau period is the calendar month (macro bureau_period; the daily DAG's month_end task and the
    bureau DAG follow the same rule: creditwh.pipeline.daily.is_month_end, tested against macros/dates.sql
    is_month_end). -#}
{%- set business_date = var('business_date', none) -%}
{%- set period = bureau_period() -%}
{%- set is_period_end = period.is_end -%}
{%- set period_start = period.start -%}
{%- set previous_period_end = period.previous_end -%}
{%- set period_start_sql = "cast('" ~ period_start ~ "' as date)" if is_period_end else 'null' -%}
{%- set period_end_sql = "cast('" ~ business_date ~ "' as date)" if is_period_end else 'cast(null as date)' -%}
{%- set in_period = 'between ' ~ period_start_sql ~ ' and ' ~ period_end_sql %}

with

-- the accounts at period end, and those that closed or were transferred during the period (read from
-- the delivered snapshots, complete whichever dates were built)
period_days as (

    select * from {{ ref('stg_accounts') }}
    {%- if is_period_end %}
    where business_date {{ in_period }}
        and ({{ business_date_filter() }} or account_status in ('CLOSED', 'TRANSFERRED'))
    {%- else %}
    where 1 = 0
    {%- endif %}

),

last_states as (

    select
        *,
        row_number() over (partition by account_id order by business_date desc) as state_rank

    from period_days

),

us_consumers as (

    select
        customer_person.customer_id,
        customer_person.person_id

    from {{ ref('int_customer_person') }} as customer_person

    inner join {{ ref('int_person_bureau_jurisdiction') }} as jurisdiction
        on jurisdiction.person_id = customer_person.person_id

    where jurisdiction.bureau = 'METRO2'

),

accounts as (

    select
        last_states.*,
        us_consumers.person_id

    from last_states

    inner join us_consumers
        on us_consumers.customer_id = last_states.customer_id

    where last_states.state_rank = 1

),

-- the start of the delinquency each account is in on the day of its state
delinquency_starts as (

    select * from {{ ref('int_account_delinquency_start') }}
    {%- if is_period_end %}
    where business_date {{ in_period }}
    {%- else %}
    where 1 = 0
    {%- endif %}

),

-- the period's first snapshot: the previous month's state of accounts reported for the first time
first_snapshot as (

    select * from {{ ref('stg_accounts') }}
    {%- if is_period_end %}
    where business_date = {{ period_start_sql }}
    {%- else %}
    where 1 = 0
    {%- endif %}

),

first_snapshot_payments as (

    select distinct account_id from {{ ref('stg_payments') }}
    {%- if is_period_end %}
    where business_date = {{ period_start_sql }}
    {%- else %}
    where 1 = 0
    {%- endif %}

),

-- net payments received in the period (Actual Payment Amount); recoveries after charge-off included
period_payments as (

    select
        account_id,
        sum(payment_amount) as paid_in_period

    from {{ ref('stg_payments') }}
    {%- if is_period_end %}
    where business_date {{ in_period }}
    {%- else %}
    where 1 = 0
    {%- endif %}
    group by account_id

),

-- accounts on an active hardship plan at the period end: the latest version of each plan delivered up to
-- then is its state (plans change on few days, so the plan history stays small)
plan_versions as (

    select
        account_id,
        plan_type,
        plan_status,
        row_number() over (partition by plan_id order by business_date desc) as version_rank

    from {{ ref('stg_repayment_plans') }}
    {%- if is_period_end %}
    where business_date <= {{ period_end_sql }}
    {%- else %}
    where 1 = 0
    {%- endif %}

),

hardship_plans as (

    select distinct account_id from plan_versions
    where version_rank = 1 and plan_type = 'HARDSHIP' and plan_status = 'ACTIVE'

),

previous as (

    {%- if is_incremental() and is_period_end %}
    select * from {{ this }}
    where period_end = cast('{{ previous_period_end }}' as date)
    {%- else %}
    -- first build: no previous period
    select
        cast(null as varchar) as account_id,
        cast(null as varchar) as account_status,
        cast(null as varchar) as payment_history_profile,
        cast(null as bigint) as highest_credit,
        cast(null as bigint) as current_balance,
        cast(null as varchar) as compliance_condition_code
    where 1 = 0
    {%- endif %}

),

statused as (

    select
        accounts.*,
        -- the fact's rule (macros/credit_status.sql), so fact and file cannot disagree
        {{ metro2_account_status('accounts.account_status', 'accounts.days_past_due',
                                 'accounts.current_balance', 'accounts.fraud_flag',
                                 'accounts.amount_past_due', 'accounts.status_reason',
                                 'accounts.charge_off_date') }} as metro2_status,
        {{ metro2_dpd_rating('accounts.days_past_due') }} as dpd_rating

    from accounts

),

with_history as (

    select
        statused.*,
        previous.account_id is not null as has_previous,
        previous.account_status as previous_status,
        previous.payment_history_profile as previous_profile,
        previous.highest_credit as previous_highest_credit,
        previous.current_balance as previous_balance,
        previous.compliance_condition_code as previous_compliance_code,
        delinquency_starts.date_first_delinquency as delinquency_start_date,
        first_snapshot.business_date is not null as in_first_snapshot,
        {{ metro2_history_char_before_snapshot(
            'first_snapshot.days_past_due', 'first_snapshot.amount_past_due', 'first_snapshot.charge_off_date',
            'first_snapshot.current_balance', 'first_snapshot.business_date',
            'first_snapshot_payments.account_id is not null') }} as first_snapshot_history_char,
        period_payments.paid_in_period,
        hardship_plans.account_id is not null as on_hardship_plan,
        -- the day of the event a final record reports: leaving OPEN for fraud, the payoff, the closure
        case
            when statused.metro2_status = 'DF'
                then least(statused.charge_off_date, statused.closed_date, statused.business_date)
            when statused.metro2_status = '64'
                then coalesce(statused.closed_date, statused.last_payment_date, statused.charge_off_date)
            else coalesce(statused.closed_date, statused.business_date)
        end as final_event_date

    from statused

    left join previous
        on previous.account_id = statused.account_id

    left join delinquency_starts
        on delinquency_starts.account_id = statused.account_id
        and delinquency_starts.business_date = statused.business_date

    left join first_snapshot
        on first_snapshot.account_id = statused.account_id

    left join first_snapshot_payments
        on first_snapshot_payments.account_id = statused.account_id

    left join period_payments
        on period_payments.account_id = statused.account_id

    left join hardship_plans
        on hardship_plans.account_id = statused.account_id

),

-- a final record is sent once: for an account this file reported last period, or one whose final event
-- falls in this period; never after a final record
reported as (

    select * from with_history
    {%- if is_period_end %}
    where metro2_status not in {{ metro2_statuses('final') }}
        or (has_previous and previous_status not in {{ metro2_statuses('final') }})
        or (not has_previous and final_event_date >= {{ period_start_sql }})
    {%- endif %}

),

rated as (

    select
        *,
        -- required exactly for 05/13/65/88/89/94/95: the delinquency before that status
        case
            when metro2_status in {{ metro2_statuses('requires_payment_rating') }}
                then case when charge_off_date is not null then 'L' else dpd_rating end
        end as payment_rating

    from reported

),

final as (

    select
        {{ period_end_sql }} as period_end,
        -- = period_end: the business date whose run built the row (the quality gate's partition column)
        {{ period_end_sql }} as business_date,
        rated.account_id,
        customer_id,
        cast(rated.person_id as varchar) as person_id,
        joint_customer_id,
        days_past_due,

        ---------- Base Segment (writer input columns)
        cast(0 as integer) as correction_indicator,
        rated.account_id as consumer_account_number,
        cast('{{ var("bureau_portfolio_type", "R") }}' as varchar) as portfolio_type,
        cast('{{ var("bureau_account_type", "18") }}' as varchar) as account_type,
        open_date as date_opened,
        cast(floor(greatest(coalesce(credit_limit, 0), 0)) as bigint) as credit_limit,
        cast(greatest(
            coalesce(previous_highest_credit, 0),
            floor(greatest(coalesce(current_balance, 0), 0)),
            floor(greatest(coalesce(statement_balance, 0), 0))
        ) as bigint) as highest_credit,
        cast('{{ var("bureau_terms_duration", "REV") }}' as varchar) as terms_duration,
        cast('{{ var("bureau_terms_frequency", "M") }}' as varchar) as terms_frequency,
        cast(case
            when metro2_status = '11' or metro2_status in {{ metro2_statuses('past_due') }}
                then floor(greatest(coalesce(minimum_payment_due, 0), 0))
            else 0
        end as bigint) as scheduled_monthly_payment_amount,
        cast(floor(greatest(coalesce(paid_in_period, 0), 0)) as bigint) as actual_payment_amount,
        cast(metro2_status as varchar) as account_status,
        cast(payment_rating as varchar) as payment_rating,
        -- most recent first: the previous period's status, then its profile shifted by one; an account's
        -- first period: the month before as its first snapshot shows it when the account existed before
        -- the period, B (no history) for the months before that and for a new account
        cast(case
            when has_previous
                then {{ metro2_history_char('previous_status', 'previous_balance') }}
                    || left(coalesce(previous_profile, '{{ "B" * 24 }}'), 23)
            when in_first_snapshot and open_date < {{ period_start_sql }}
                then first_snapshot_history_char || '{{ "B" * 23 }}'
            else '{{ "B" * 24 }}'
        end as varchar) as payment_history_profile,
        -- an account paying under a hardship plan: the bureau's partial payment agreement comment
        cast(case
            when on_hardship_plan then '{{ var("bureau_hardship_special_comment", "AC") }}'
        end as varchar) as special_comment,
        cast(case
            when dispute_flag then 'XB'
            when previous_compliance_code = 'XB' then '{{ var("bureau_dispute_closed_code", "XH") }}'
        end as varchar) as compliance_condition_code,
        cast(floor(greatest(coalesce(current_balance, 0), 0)) as bigint) as current_balance,
        -- 30+ days past due only: zero for current accounts; the whole balance once charged off
        cast(case
            when metro2_status = '97' then floor(greatest(coalesce(current_balance, 0), 0))
            when metro2_status in {{ metro2_statuses('past_due') }}
                then floor(greatest(coalesce(amount_past_due, 0), 0))
            else 0
        end as bigint) as amount_past_due,
        cast(case
            when metro2_status in {{ metro2_statuses('charged_off') }}
                then floor(greatest(coalesce(charge_off_amount, 0), 0))
            else 0
        end as bigint) as original_charge_off_amount,
        {{ period_end_sql }} as date_account_information,
        -- the start of the delinquency behind a delinquent status, or behind a final record's delinquent
        -- payment rating; none for a current account
        cast(case
            when metro2_status in {{ metro2_statuses('past_due') }}
                or metro2_status in {{ metro2_statuses('charged_off') }}
                or payment_rating in ('1', '2', '3', '4', '5', '6', 'L')
                then coalesce(delinquency_start_date, charge_off_date)
        end as date) as date_first_delinquency,
        coalesce(closed_date, charge_off_date) as date_closed,
        last_payment_date as date_last_payment,

        ---------- consumer (clear personal data, rpt_bureau_consumers)
        consumers.surname,
        consumers.first_name,
        consumers.social_security_number,
        consumers.date_birth,
        consumers.telephone_number,
        cast(case when joint_customer_id is not null then '2' else '1' end as varchar) as ecoa_code,
        consumers.first_line_address,
        consumers.second_line_address,
        consumers.city,
        consumers.state,
        consumers.zip_code

    from rated

    -- the person as of the period end, not as of the build (a history load builds a period after later dates)
    left join {{ ref('rpt_bureau_consumers') }} as consumers
        on consumers.person_id = rated.person_id
        and consumers.period_end = {{ period_end_sql }}

)

select * from final
