{{ config(unique_key='business_date') }}

-- depends_on: {{ ref('collection_kpi_policy') }}

{#- Promise kept rate by the date promises are judged: int_collection_promise_outcomes (the one home of kept
    and broken: promised date + grace of seed collection_kpi_policy) aggregated by the channel, holder and
    collector of the action that took each promise. A daily run reads the day's judged promises and the
    actions of the longest promise window (its length read from the seed when the model compiles). -#}
{%- set window_read = '1 = 1' -%}
{%- if execute and var('business_date', none) is not none -%}
    {%- set policy = run_query('select max(promise_max_days + promise_grace_days) from ' ~ ref('collection_kpi_policy')) -%}
    {%- set window_read = business_date_lookback_filter(policy.columns[0].values()[0] | int) -%}
{%- endif %}

with

outcomes as (

    select * from {{ ref('int_collection_promise_outcomes') }}
    where {{ business_date_filter('business_date') }}

),

actions as (

    select * from {{ ref('stg_collection_actions') }}
    where is_promise_to_pay
        and {{ window_read }}

),

judged as (

    select
        outcomes.business_date,
        outcomes.is_kept,
        outcomes.promised_amount,
        outcomes.paid_amount,
        actions.channel,
        actions.holder_id,
        actions.collector_id

    from outcomes

    inner join actions
        on actions.business_date = outcomes.promised_on
        and actions.action_id = outcomes.action_id

),

final as (

    select
        business_date,
        cast(channel as varchar) as channel,
        cast(holder_id as varchar) as holder_id,
        cast(collector_id as varchar) as collector_id,
        cast(count(*) as integer) as promises_due,
        cast(count(*) filter (where is_kept) as integer) as promises_kept,
        cast(count(*) filter (where not is_kept) as integer) as promises_broken,
        cast(sum(promised_amount) as numeric(20, 2)) as promised_amount,
        cast(sum(least(greatest(paid_amount, 0), promised_amount)) as numeric(20, 2)) as paid_toward_promises,
        cast(count(*) filter (where is_kept) as double precision) / count(*) as promise_kept_rate

    from judged

    group by business_date, channel, holder_id, collector_id

)

select * from final
