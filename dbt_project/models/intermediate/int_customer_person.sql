{#- customer_id -> person_id. Customer ids whose current version carries the same valid normalized
    id_type + id_number (identity_key) are one person; person_id = 'P' + the smallest such customer id
    (stable while customer ids are issued in increasing order). A customer without a valid id number is a
    person of its own. previous_person_id is the person the customer belonged to before the run that
    last wrote the row (null when new), so the person dimension can drop persons left without customers.

    Cost: a daily run maps only the customers whose identity groups the run touched: the identity keys of
    the customers refreshed today (int_customers_current.refreshed_on), old and new, and every customer
    holding one of those keys (delete+insert on customer_id). The first build, and a run without the
    business_date var, map every customer. -#}
{{ config(materialized='incremental', unique_key='customer_id') }}

{%- set changes_only = changes_only_run() %}

with

{%- if changes_only %}

refreshed as (

    select
        customer_id,
        identity_key
    from {{ ref('int_customers_current') }}
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

    select
        customer_id,
        identity_key
    from {{ ref('int_customers_current') }}
    where identity_key in (select identity_key from touched_keys)

    union

    select
        customer_id,
        identity_key
    from refreshed

),

{%- else %}

customers as (

    select
        customer_id,
        identity_key
    from {{ ref('int_customers_current') }}

),

{%- endif %}

mapped as (

    select
        customer_id,
        identity_key,
        'P' || case
            when identity_key is null then customer_id
            else min(customer_id) over (partition by identity_key)
        end as person_id,
        identity_key is not null as is_identity_matched

    from customers

)

select
    mapped.customer_id,
    mapped.person_id,
    mapped.is_identity_matched,
    mapped.identity_key,
    {%- if is_incremental() %}
    cast(previous.person_id as varchar) as previous_person_id,
    {%- else %}
    cast(null as varchar) as previous_person_id,
    {%- endif %}
    {{ run_refreshed_on() }} as refreshed_on

from mapped

{%- if is_incremental() %}

left join {{ this }} as previous
    on previous.customer_id = mapped.customer_id
{%- endif %}
