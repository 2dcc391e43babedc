{{
    config(
        schema='restricted',
        unique_key='person_id',
        post_hook="{{ delete_vanished_persons() }}",
    )
}}

{#- One row per real person, clear standardized personal data (restricted schema).
    Survivorship across the person's customer ids (their current versions): macro person_survivors,
    which rpt_person_pii_at_period_end applies to the versions valid at a bureau period end of the persons
    changed since, copying this table's rows for the others.

    Cost: a daily run rebuilds only the persons of the customers int_customer_person mapped today
    (refreshed_on), from all their customer ids (delete+insert on person_id); persons left without a
    customer are deleted (post-hook). The first build, and a run without the var, rebuild every person. -#}

{%- set changes_only = changes_only_run() %}

with

{%- if changes_only %}

touched_persons as (

    select person_id from {{ ref('int_customer_person') }}
    where {{ business_date_filter('refreshed_on') }}

),

customer_person as (

    select * from {{ ref('int_customer_person') }}
    where person_id in (select person_id from touched_persons)

),

customers as (

    select * from {{ ref('int_customers_current') }}
    where customer_id in (select customer_id from customer_person)

),

{%- else %}

customer_person as (

    select * from {{ ref('int_customer_person') }}

),

customers as (

    select * from {{ ref('int_customers_current') }}

),

{%- endif %}

with_person as (

    select
        customer_person.person_id,
        customer_person.has_identity_conflict,
        customers.*

    from customers

    inner join customer_person
        on customer_person.customer_id = customers.customer_id

),

survivors as (

    {{ person_survivors('with_person') | indent(4) }}

),

final as (

    select
        person_id,
        source_customer_count,
        survivor_customer_id,
        family_name,
        given_name,
        full_name,
        local_name,
        id_type,
        id_number,
        id_number_is_valid,
        birth_date,
        mobile_phone,
        mobile_phone_is_valid,
        address_line1,
        address_line2,
        city,
        state_code,
        postal_code,
        updated_at,
        {{ run_refreshed_on() }} as refreshed_on,
        identity_key,
        has_identity_conflict

    from survivors

)

select * from final
