{#- BI-facing person dimension: the survivors of dim_customer_pii with personal data masked and the
    address reduced to city / state. -#}
with

customers as (

    select * from {{ ref('dim_customer_pii') }}

),

masked as (

    select
        person_id,
        source_customer_count,
        survivor_customer_id,
        {{ mask_roman_name('full_name') }} as full_name_masked,
        {{ mask_local_name('local_name') }} as local_name_masked,
        id_type,
        {{ mask_id_number('id_type', 'id_number') }} as id_number_masked,
        id_number_is_valid,
        cast(extract(year from birth_date) as integer) as birth_year,
        {{ mask_phone('mobile_phone') }} as mobile_phone_masked,
        mobile_phone_is_valid,
        city,
        state_code,
        updated_at

    from customers

)

select * from masked
