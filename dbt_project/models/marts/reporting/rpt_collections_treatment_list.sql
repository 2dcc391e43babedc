{{ config(unique_key='business_date') }}

{#- The dialer's treatment list for list_date (business_date + 1): every account whose treatment
    (mart_collections_next_actions) is due that day, with its channel, holder and reason, and the contact
    details the dialer needs (restricted: clear name and mobile phone from restricted.dim_customer_pii, the
    person's current record). Published by creditwh.reporting.collections. Delete+insert on business_date. -#}

with

treatments as (

    select * from {{ ref('mart_collections_next_actions') }}
    where {{ business_date_filter() }}
        and channel is not null
        and not is_reminder

),

persons as (

    select * from {{ ref('dim_customer_pii') }}

),

final as (

    select
        cast(treatments.business_date as date) as business_date,
        cast(treatments.list_date as date) as list_date,
        cast(treatments.account_id as varchar) as account_id,
        cast(treatments.channel as varchar) as channel,
        cast(treatments.holder_type as varchar) as holder_type,
        cast(treatments.holder_id as varchar) as holder_id,
        cast(treatments.reason_code as varchar) as reason_code,
        cast(treatments.bucket_code as varchar) as bucket_code,
        cast(treatments.amount_past_due as numeric(18, 2)) as amount_past_due,
        cast(persons.full_name as varchar) as full_name,
        cast(persons.local_name as varchar) as local_name,
        cast(persons.mobile_phone as varchar) as mobile_phone

    from treatments

    left join persons
        on persons.person_id = treatments.person_id

)

select * from final
