{{ config(unique_key='month') }}

{#- Each collector's month against the targets of seed collectors. A daily run recomputes the run's month
    from the daily KPI marts' rows of that month (every built date of it, so re-running a date gives the
    same rows); without the var every month. -#}
{%- set month_read = '1 = 1' -%}
{%- if var('business_date', none) is not none -%}
    {%- set month_read = 'business_date >= ' ~ month_start(business_date_literal()) ~ ' and business_date < '
        ~ month_start(dbt.dateadd('month', 1, business_date_literal())) -%}
{%- endif %}

with

contacts as (

    select
        {{ month_start('business_date') }} as month,
        collector_id,
        holder_id,
        cast(sum(call_attempts) as integer) as call_attempts,
        cast(sum(connects) as integer) as connects,
        cast(sum(right_party_contacts) as integer) as right_party_contacts,
        cast(sum(promises) as integer) as promises,
        cast(count(distinct business_date) filter (where call_attempts > 0) as integer) as calling_days

    from {{ ref('mart_collections_contact_daily') }}
    where {{ month_read }}
        and collector_id is not null
    group by {{ month_start('business_date') }}, collector_id, holder_id

),

promises as (

    select
        {{ month_start('business_date') }} as month,
        collector_id,
        holder_id,
        cast(sum(promises_due) as integer) as promises_due,
        cast(sum(promises_kept) as integer) as promises_kept,
        cast(sum(paid_toward_promises) as numeric(20, 2)) as collected_on_promises

    from {{ ref('mart_collections_promises_daily') }}
    where {{ month_read }}
        and collector_id is not null
    group by {{ month_start('business_date') }}, collector_id, holder_id

),

{# the month's latest built date: what every row of the month is as of #}
month_dates as (

    select
        {{ month_start('business_date') }} as month,
        max(business_date) as as_of_date

    from {{ ref('mart_collections_contact_daily') }}
    where {{ month_read }}
    group by {{ month_start('business_date') }}

),

collectors as (

    select * from {{ ref('collectors') }}

),

final as (

    select
        coalesce(contacts.month, promises.month) as month,
        cast(coalesce(contacts.collector_id, promises.collector_id) as varchar) as collector_id,
        cast(coalesce(contacts.holder_id, promises.holder_id) as varchar) as holder_id,
        coalesce(contacts.call_attempts, 0) as call_attempts,
        coalesce(contacts.connects, 0) as connects,
        coalesce(contacts.right_party_contacts, 0) as right_party_contacts,
        coalesce(contacts.promises, 0) as promises,
        coalesce(contacts.calling_days, 0) as calling_days,
        cast(contacts.call_attempts as double precision) / nullif(contacts.calling_days, 0) as calls_per_calling_day,
        coalesce(promises.promises_due, 0) as promises_due,
        coalesce(promises.promises_kept, 0) as promises_kept,
        cast(coalesce(promises.collected_on_promises, 0) as numeric(20, 2)) as collected_on_promises,
        collectors.monthly_target_calls as target_calls,
        collectors.monthly_target_promises as target_promises,
        cast(collectors.monthly_target_collected_amount as numeric(20, 2)) as target_collected_amount,
        cast(coalesce(contacts.call_attempts, 0) as double precision)
            / nullif(collectors.monthly_target_calls, 0) as calls_attainment,
        cast(coalesce(contacts.promises, 0) as double precision)
            / nullif(collectors.monthly_target_promises, 0) as promises_attainment,
        cast(coalesce(promises.collected_on_promises, 0) / nullif(collectors.monthly_target_collected_amount, 0)
            as double precision) as collected_attainment,
        month_dates.as_of_date

    from contacts

    full outer join promises
        on promises.month = contacts.month
        and promises.collector_id = contacts.collector_id
        and promises.holder_id = contacts.holder_id

    left join month_dates
        on coalesce(contacts.month, promises.month) = month_dates.month

    left join collectors
        on coalesce(contacts.collector_id, promises.collector_id) = collectors.collector_id

)

select * from final
