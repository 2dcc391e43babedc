{{ config(unique_key='business_date') }}

{#- Contact KPIs of the run's date by channel, holder and collector; what an outcome counts as is the seed
    collection_outcome_kpis, what a call attempt is the seed collection_call_attempt_channels. -#}

with

actions as (

    select * from {{ ref('stg_collection_actions') }}
    where {{ business_date_filter('business_date') }}

),

outcome_kpis as (

    select * from {{ ref('collection_outcome_kpis') }}

),

call_attempt_channels as (

    select * from {{ ref('collection_call_attempt_channels') }}

),

holders as (

    select * from {{ ref('collection_holders') }}

),

classified as (

    select
        actions.business_date,
        actions.channel,
        actions.holder_id,
        actions.collector_id,
        actions.talk_seconds,
        call_attempt_channels.channel is not null as is_call_attempt,
        coalesce(outcome_kpis.is_connect, false) as is_connect,
        coalesce(outcome_kpis.is_right_party_contact, false) as is_right_party_contact,
        coalesce(outcome_kpis.is_promise, false) as is_promise,
        coalesce(outcome_kpis.is_refusal, false) as is_refusal,
        coalesce(outcome_kpis.is_dispute, false) as is_dispute,
        coalesce(outcome_kpis.is_complaint, false) as is_complaint

    from actions

    left join call_attempt_channels
        on call_attempt_channels.channel = actions.channel

    left join outcome_kpis
        on outcome_kpis.outcome = actions.outcome

),

counted as (

    select
        business_date,
        channel,
        holder_id,
        collector_id,
        cast(count(*) as integer) as attempts,
        cast(count(*) filter (where is_call_attempt) as integer) as call_attempts,
        cast(count(*) filter (where is_call_attempt and is_connect) as integer) as connects,
        cast(count(*) filter (where is_call_attempt and is_right_party_contact) as integer)
            as right_party_contacts,
        cast(count(*) filter (where is_call_attempt and is_promise) as integer) as promises,
        cast(count(*) filter (where is_call_attempt and is_refusal) as integer) as refusals,
        cast(count(*) filter (where is_right_party_contact) as integer) as all_right_party_contacts,
        cast(count(*) filter (where is_dispute) as integer) as disputes,
        cast(count(*) filter (where is_complaint) as integer) as complaints,
        cast(coalesce(sum(talk_seconds) filter (where is_call_attempt), 0) as bigint) as talk_seconds

    from classified

    group by business_date, channel, holder_id, collector_id

),

final as (

    select
        counted.business_date,
        cast(counted.channel as varchar) as channel,
        cast(counted.holder_id as varchar) as holder_id,
        cast(holders.holder_type as varchar) as holder_type,
        cast(counted.collector_id as varchar) as collector_id,
        counted.attempts,
        counted.call_attempts,
        counted.connects,
        counted.right_party_contacts,
        counted.promises,
        counted.refusals,
        counted.all_right_party_contacts,
        counted.disputes,
        counted.complaints,
        counted.talk_seconds,
        cast(counted.connects as double precision) / nullif(counted.call_attempts, 0) as connect_rate,
        cast(counted.right_party_contacts as double precision) / nullif(counted.call_attempts, 0)
            as right_party_contact_rate,
        cast(counted.promises as double precision) / nullif(counted.right_party_contacts, 0) as promise_rate,
        1000 * cast(counted.complaints as double precision) / nullif(counted.all_right_party_contacts, 0)
            as complaints_per_1000_right_party_contacts

    from counted

    left join holders
        on holders.holder_id = counted.holder_id

)

select * from final
