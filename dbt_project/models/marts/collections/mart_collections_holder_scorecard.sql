{{ config(unique_key='month') }}

{#- Each team's, agency's and the legal department's month against the targets of seed collection_holders.
    A daily run recomputes the run's month from the daily KPI marts' rows of that month (every built date
    of it, so re-running a date gives the same rows) and the placements worked in it; without the var every
    month. -#}
{%- set month_read = '1 = 1' -%}
{%- if var('business_date', none) is not none -%}
    {%- set month_read = 'business_date >= ' ~ month_start(business_date_literal()) ~ ' and business_date < '
        ~ month_start(dbt.dateadd('month', 1, business_date_literal())) -%}
{%- endif %}

with

contacts as (

    select
        {{ month_start('business_date') }} as month,
        holder_id,
        cast(sum(attempts) as integer) as attempts,
        cast(sum(call_attempts) as integer) as call_attempts,
        cast(sum(connects) as integer) as connects,
        cast(sum(right_party_contacts) as integer) as right_party_contacts,
        cast(sum(promises) as integer) as promises,
        cast(sum(all_right_party_contacts) as integer) as all_right_party_contacts,
        cast(sum(complaints) as integer) as complaints,
        cast(sum(disputes) as integer) as disputes

    from {{ ref('mart_collections_contact_daily') }}
    where {{ month_read }}
    group by {{ month_start('business_date') }}, holder_id

),

promises as (

    select
        {{ month_start('business_date') }} as month,
        holder_id,
        cast(sum(promises_due) as integer) as promises_due,
        cast(sum(promises_kept) as integer) as promises_kept

    from {{ ref('mart_collections_promises_daily') }}
    where {{ month_read }}
    group by {{ month_start('business_date') }}, holder_id

),

collected as (

    select
        {{ month_start('business_date') }} as month,
        holder_id,
        max(business_date) as as_of_date,
        sum(recovered_amount) as collected_amount

    from {{ ref('mart_collections_recovery_daily') }}
    where {{ month_read }}
    group by {{ month_start('business_date') }}, holder_id

),

months as (

    select
        month,
        max(as_of_date) as as_of_date

    from collected
    group by month

),

closings as (

    select
        assignment_id,
        valid_to

    from {{ ref('stg_collection_assignments') }}
    where valid_to is not null

),

{# placements the holder worked on some day of the month: placed before the month's last date and not
    closed before its first; their balance at placement is what the monthly recovery target is a share of #}
worked as (

    select
        months.month,
        placements.holder_id,
        cast(count(*) as integer) as placements_worked,
        sum(placements.balance_at_placement) as balance_worked

    from months

    inner join {{ ref('int_collection_placements') }} as placements
        on placements.valid_from < months.as_of_date

    left join closings
        on closings.assignment_id = placements.assignment_id

    where closings.valid_to is null
        or closings.valid_to >= months.month

    group by months.month, placements.holder_id

),

final as (

    select
        months.month,
        cast(holders.holder_id as varchar) as holder_id,
        cast(holders.holder_type as varchar) as holder_type,
        cast(holders.stage as varchar) as stage,
        months.as_of_date,
        coalesce(contacts.attempts, 0) as attempts,
        coalesce(contacts.call_attempts, 0) as call_attempts,
        coalesce(contacts.connects, 0) as connects,
        coalesce(contacts.right_party_contacts, 0) as right_party_contacts,
        coalesce(contacts.promises, 0) as promises,
        coalesce(promises.promises_due, 0) as promises_due,
        coalesce(promises.promises_kept, 0) as promises_kept,
        coalesce(contacts.all_right_party_contacts, 0) as all_right_party_contacts,
        coalesce(contacts.complaints, 0) as complaints,
        coalesce(contacts.disputes, 0) as disputes,
        1000 * cast(contacts.complaints as double precision) / nullif(contacts.all_right_party_contacts, 0)
            as complaints_per_1000_right_party_contacts,
        coalesce(worked.placements_worked, 0) as placements_worked,
        cast(coalesce(worked.balance_worked, 0) as numeric(20, 2)) as balance_worked,
        cast(coalesce(collected.collected_amount, 0) as numeric(20, 2)) as collected_amount,
        cast(coalesce(collected.collected_amount, 0) / nullif(worked.balance_worked, 0) as double precision)
            as monthly_recovery_rate,
        cast(holders.monthly_target_collected_amount as numeric(20, 2)) as target_collected_amount,
        cast(holders.monthly_target_recovery_rate as double precision) as target_recovery_rate,
        cast(coalesce(collected.collected_amount, 0) / nullif(holders.monthly_target_collected_amount, 0)
            as double precision) as collected_attainment

    from months

    cross join {{ ref('collection_holders') }} as holders

    left join contacts
        on contacts.month = months.month
        and contacts.holder_id = holders.holder_id

    left join promises
        on promises.month = months.month
        and promises.holder_id = holders.holder_id

    left join collected
        on collected.month = months.month
        and collected.holder_id = holders.holder_id

    left join worked
        on worked.month = months.month
        and worked.holder_id = holders.holder_id

)

select * from final
