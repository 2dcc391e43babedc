{{ config(unique_key='business_date') }}

{#- Promises to pay judged on the run's date: those whose window (promised date + grace days of seed
    collection_kpi_policy) closes that day. A promise is pending until then, so a day's row never changes
    later. A daily run reads the promises and payments of the longest window only; its length is read from
    the seed when the model compiles. Without the var every promise whose window closed by the latest
    loaded date is judged. -#}
{%- set window_read = '1 = 1' -%}
{%- if execute and var('business_date', none) is not none -%}
    {%- set policy = run_query('select max(promise_max_days + promise_grace_days) from ' ~ ref('collection_kpi_policy')) -%}
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
        actions.channel,
        actions.holder_id,
        actions.collector_id,
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

{# payments posted after the day of the promise up to the window's last day, net of reversals: the
    day's own payments were posted before the call #}
judged as (

    select
        promises_due.judged_on as business_date,
        promises_due.action_id,
        promises_due.channel,
        promises_due.holder_id,
        promises_due.collector_id,
        promises_due.promised_amount,
        coalesce(sum(payments.payment_amount), 0) as paid_amount

    from promises_due

    left join payments
        on promises_due.account_id = payments.account_id
        and payments.business_date > promises_due.promised_on
        and payments.business_date <= promises_due.judged_on

    group by
        promises_due.judged_on,
        promises_due.promised_on,
        promises_due.action_id,
        promises_due.channel,
        promises_due.holder_id,
        promises_due.collector_id,
        promises_due.promised_amount

),

final as (

    select
        business_date,
        cast(channel as varchar) as channel,
        cast(holder_id as varchar) as holder_id,
        cast(collector_id as varchar) as collector_id,
        cast(count(*) as integer) as promises_due,
        cast(count(*) filter (where paid_amount >= promised_amount) as integer) as promises_kept,
        cast(count(*) filter (where paid_amount < promised_amount) as integer) as promises_broken,
        cast(sum(promised_amount) as numeric(20, 2)) as promised_amount,
        cast(sum(least(greatest(paid_amount, 0), promised_amount)) as numeric(20, 2)) as paid_toward_promises,
        cast(count(*) filter (where paid_amount >= promised_amount) as double precision) / count(*) as promise_kept_rate

    from judged

    group by business_date, channel, holder_id, collector_id

)

select * from final
