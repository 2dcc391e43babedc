{{ config(unique_key='business_date') }}

{#- The SMS platform's pre-due reminder list for list_date (business_date + 1): the accounts the strategy
    reminds (mart_collections_next_actions.is_reminder) with their due date, the minimum still unpaid and
    the mobile phone (restricted: from restricted.dim_customer_pii, the person's current record). Published by
    creditwh.reporting.collections. Delete+insert on business_date. -#}

with

reminders as (

    select * from {{ ref('mart_collections_next_actions') }}
    where {{ business_date_filter() }}
        and channel is not null
        and is_reminder

),

persons as (

    select * from {{ ref('dim_customer_pii') }}

),

final as (

    select
        cast(reminders.business_date as date) as business_date,
        cast(reminders.list_date as date) as list_date,
        cast(reminders.account_id as varchar) as account_id,
        cast(reminders.channel as varchar) as channel,
        cast(reminders.payment_due_date as date) as payment_due_date,
        cast(reminders.amount_due as numeric(18, 2)) as amount_due,
        cast(reminders.reason_code as varchar) as reason_code,
        cast(persons.mobile_phone as varchar) as mobile_phone

    from reminders

    left join persons
        on persons.person_id = reminders.person_id

)

select * from final
