{{ config(unique_key='business_date') }}

{#- Promises to pay judged, one row per promise (a PTP collection action) on the date its window closes:
    the promised date + promise_grace_days of seed collection_kpi_policy. Kept when the payments posted
    after the day of the promise through that date (net of reversals; the day's own payments were posted
    before the call) reach the promised amount, else broken. A promise is pending until its window closes,
    so a date's rows never change later. Read by the BROKEN_PROMISE early-warning signal.

    Cost: a daily run reads the promises and payments of the longest window only (promise_max_days +
    promise_grace_days, read from the seed when the model compiles); delete+insert on business_date. -#}
{%- set window_read = '1 = 1' -%}
{%- if execute and var('business_date', none) is not none
    and load_relation(ref('collection_kpi_policy')) is not none -%}
    {%- set policy = run_query(
        'select max(promise_max_days + promise_grace_days) from ' ~ ref('collection_kpi_policy')) -%}
    {%- set window_read = business_date_lookback_filter(policy.columns[0].values()[0] | int) -%}
{%- endif %}

with

policy as (

    select * from {{ ref('collection_kpi_policy') }}

),

promises as (

    select
        actions.business_date as promised_on,
        actions.action_id,
        actions.account_id,
        actions.promised_amount,
        actions.promised_date,
        cast({{ dbt.dateadd('day', 'policy.promise_grace_days', 'actions.promised_date') }} as date) as judged_on

    from {{ ref('stg_collection_actions') }} as actions

    cross join policy

    where actions.is_promise_to_pay
        and {{ window_read }}

),

payments as (

    select * from {{ ref('stg_payments') }}
    where {{ window_read }}

),

promises_due as (

    select * from promises
    {% if var('business_date', none) is none -%}
    -- backfill: the windows closed by the latest loaded date; the others are pending
    where judged_on <= (select max(business_date) from payments)
    {%- else -%}
    where {{ business_date_filter('judged_on') }}
    {%- endif %}

),

judged as (

    select
        promises_due.judged_on,
        promises_due.promised_on,
        promises_due.action_id,
        promises_due.account_id,
        promises_due.promised_amount,
        coalesce(sum(payments.payment_amount), 0) as paid_amount

    from promises_due

    left join payments
        on payments.account_id = promises_due.account_id
        and payments.business_date > promises_due.promised_on
        and payments.business_date <= promises_due.judged_on

    group by
        promises_due.judged_on,
        promises_due.promised_on,
        promises_due.action_id,
        promises_due.account_id,
        promises_due.promised_amount

),

final as (

    select
        cast(judged_on as date) as business_date,
        cast(action_id as varchar) as action_id,
        cast(account_id as varchar) as account_id,
        cast(promised_on as date) as promised_on,
        cast(promised_amount as numeric(18, 2)) as promised_amount,
        cast(paid_amount as numeric(18, 2)) as paid_amount,
        paid_amount >= promised_amount as is_kept

    from judged

)

select * from final
