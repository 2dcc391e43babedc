{{ config(materialized="table") }}

{#- customer_id -> person_id. Customer ids whose current version carries the same valid normalized
    id_type + id_number are one person; person_id = 'P' + the smallest such customer id (stable while
    customer ids are issued in increasing order). A customer without a valid id number is a person of
    its own. -#}
with

customers as (

    select * from {{ ref('int_customers_current') }}

),

mapped as (

    select
        customer_id,
        'P' || case
            when identity_key is null then customer_id
            else min(customer_id) over (partition by identity_key)
        end as person_id,
        identity_key is not null as is_identity_matched

    from customers

)

select * from mapped
