{{ config(unique_key='period_end') }}

{#- Metro 2 Base Segment inputs: one row per account per bureau reporting period, column names = the
    inputs of creditwh.reporting.metro2.write_metro2. Built only when the run's business_date is a month
    end (the bureau period); any other day is a no-op.
    History-dependent fields (Payment History Profile, Date of First Delinquency, Highest Credit,
    compliance code transitions) come from this model's row of the previous period, so a period's cost
    does not grow with the length of the history. Periods must therefore be built in date order: a build
    without business_date (full refresh) leaves the table empty and periods are replayed one by one. -#}

{#- The bureau period is the calendar month (the daily DAG's month_end task and the bureau DAG follow the
    same rule: creditwh.pipeline.daily.is_month_end, tested against macros/dates.sql is_month_end). -#}
{%- set business_date = var('business_date', none) -%}
{%- set is_period_end = false -%}
{%- set previous_period_end = none -%}
{%- if business_date is not none -%}
    {%- set day = modules.datetime.date.fromisoformat(business_date | string) -%}
    {%- set is_period_end = (day + modules.datetime.timedelta(days=1)).day == 1 -%}
    {%- set previous_period_end = day.replace(day=1) - modules.datetime.timedelta(days=1) -%}
{%- endif -%}
{%- set period_start = (previous_period_end + modules.datetime.timedelta(days=1))
    if previous_period_end is not none else none -%}

with

accounts as (

    select * from {{ ref('fct_account_daily') }}
    {%- if is_period_end %}
    where {{ business_date_filter() }}
    {%- else %}
    where 1 = 0
    {%- endif %}

),

consumers as (

    select * from {{ ref('rpt_bureau_consumers') }}

),

-- net payments received in the period (Actual Payment Amount); recoveries after charge-off included
period_payments as (

    select
        account_id,
        sum(payment_amount) as paid_in_period

    from {{ ref('stg_payments') }}
    {%- if is_period_end %}
    where business_date between cast('{{ period_start }}' as date) and cast('{{ business_date }}' as date)
    {%- else %}
    where 1 = 0
    {%- endif %}
    group by account_id

),

previous as (

    {%- if is_incremental() and is_period_end %}
    select * from {{ this }}
    where period_end = cast('{{ previous_period_end }}' as date)
    {%- else %}
    -- first build: no previous period (Payment History Profile starts B-filled)
    select
        cast(null as varchar) as account_id,
        cast(null as varchar) as account_status,
        cast(null as varchar) as payment_history_profile,
        cast(null as date) as date_first_delinquency,
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
                                 'accounts.amount_past_due') }} as metro2_status,
        {{ metro2_dpd_rating('accounts.days_past_due') }} as dpd_rating

    from accounts

),

derived as (

    select
        statused.*,
        previous.account_id is not null as has_previous,
        previous.account_status as previous_status,
        previous.payment_history_profile as previous_profile,
        previous.date_first_delinquency as previous_dofd,
        previous.highest_credit as previous_highest_credit,
        previous.current_balance as previous_balance,
        previous.compliance_condition_code as previous_compliance_code,
        (statused.metro2_status in {{ metro2_statuses('past_due') }}
            or statused.metro2_status in {{ metro2_statuses('charged_off') }}) as is_delinquent_status,
        -- first 30-day delinquency behind the current DPD: due date (business date - DPD) + 30 days
        case
            when statused.days_past_due >= 30
                then cast({{ dbt.dateadd('day', '30 - statused.days_past_due', 'statused.business_date') }} as date)
        end as dofd_from_dpd

    from statused

    left join previous
        on previous.account_id = statused.account_id

),

with_payments as (

    select
        derived.*,
        period_payments.paid_in_period

    from derived

    left join period_payments
        on period_payments.account_id = derived.account_id

),

final as (

    select
        business_date as period_end,
        -- = period_end: the business date whose run built the row (the quality gate's partition column)
        business_date,
        account_id,
        customer_id,
        with_payments.person_id,
        joint_customer_id,
        days_past_due,

        ---------- Base Segment (writer input columns)
        cast(0 as integer) as correction_indicator,
        account_id as consumer_account_number,
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
        metro2_status as account_status,
        -- required exactly for 05/13/65/88/89/94/95: the delinquency before that status
        cast(case
            when metro2_status in {{ metro2_statuses('requires_payment_rating') }}
                then case when charge_off_date is not null then 'L' else dpd_rating end
        end as varchar) as payment_rating,
        -- most recent first; first character = the previous period's status; B before the account existed
        case
            when not has_previous then '{{ "B" * 24 }}'
            else
                {{ metro2_history_char('previous_status', 'previous_balance') }}
                || left(coalesce(previous_profile, '{{ "B" * 24 }}'), 23)
        end as payment_history_profile,
        cast(null as varchar) as special_comment,
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
        business_date as date_account_information,
        -- stable while delinquent, cleared once current, a new date on re-delinquency
        cast(case
            when not is_delinquent_status then null
            when previous_dofd is not null then previous_dofd
            else coalesce(dofd_from_dpd, charge_off_date, business_date)
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

    from with_payments

    left join consumers
        on consumers.person_id = with_payments.person_id

)

select * from final
