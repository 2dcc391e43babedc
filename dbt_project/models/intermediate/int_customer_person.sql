{#- customer_id -> person_id. Customer ids whose current version carries the same valid normalized
    id_type + id_number (identity_key) are one person; person_id = 'P' + the smallest such customer id
    (stable while customer ids are issued in increasing order). A customer without a valid id number is a
    person of its own. An identity conflict (one id number on records of different names or birth dates:
    a keying error or a fraud, never two records of one person) merges only the records that agree on
    name and birth date, and every customer of that id number is flagged has_identity_conflict. previous_person_id is the person the customer belonged to before the run that
    last wrote the row (null when new), so the person dimension can drop persons left without customers.

    Cost: a daily run maps only the customers whose identity groups the run touched: the identity keys of
    the customers refreshed today (int_customers_current.refreshed_on), old and new, and every customer
    holding one of those keys (delete+insert on customer_id). The first build, and a run without the
    business_date var, map every customer. -#}
{{ config(materialized='incremental', unique_key='customer_id') }}

{%- set changes_only = changes_only_run() %}

with

current_customers as (

    select
        customer_id,
        identity_key,
        family_name,
        given_name,
        birth_date,
        refreshed_on
    from {{ ref('int_customers_current') }}

),

{%- if changes_only %}

refreshed as (

    select * from current_customers
    where {{ business_date_filter('refreshed_on') }}

),

touched_keys as (

    select identity_key from refreshed
    where identity_key is not null

    union

    -- the group a refreshed customer leaves when its id number changes
    select identity_key from {{ this }}
    where customer_id in (select customer_id from refreshed)
        and identity_key is not null

),

customers as (

    select * from current_customers
    where identity_key in (select identity_key from touched_keys)

    union

    select * from refreshed

),

{%- else %}

customers as (

    select * from current_customers

),

{%- endif %}

signed as (

    -- who the record says it is: the romanized name's letters (keying styles removed) and the birth date
    select
        customer_id,
        identity_key,
        birth_date,
        regexp_replace(
            coalesce(family_name, '') || coalesce(given_name, ''), '[^A-Z]', '', 'g'
        ) as name_letters

    from customers

),

signatures as (

    select
        *,
        name_letters || '|' || coalesce(cast(birth_date as varchar), '') as signature

    from signed

),

mapped as (

    select
        customer_id,
        identity_key,
        'P' || case
            when identity_key is null then customer_id
            else min(customer_id) over (partition by identity_key, signature)
        end as person_id,
        identity_key is not null as is_identity_matched,
        coalesce(
            min(signature) over (partition by identity_key)
            <> max(signature) over (partition by identity_key),
            false
        ) and identity_key is not null as has_identity_conflict

    from signatures

)

select
    mapped.customer_id,
    mapped.person_id,
    mapped.is_identity_matched,
    mapped.identity_key,
    mapped.has_identity_conflict,
    {%- if is_incremental() %}
    -- a re-run of the date that wrote the row, the person unchanged, keeps what the date's first run saw
    cast(case
        when previous.refreshed_on = {{ run_refreshed_on() }} and previous.person_id = mapped.person_id
            then previous.previous_person_id
        else previous.person_id
    end as varchar) as previous_person_id,
    {%- else %}
    cast(null as varchar) as previous_person_id,
    {%- endif %}
    {{ run_refreshed_on() }} as refreshed_on

from mapped

{%- if is_incremental() %}

left join {{ this }} as previous
    on previous.customer_id = mapped.customer_id
{%- endif %}
