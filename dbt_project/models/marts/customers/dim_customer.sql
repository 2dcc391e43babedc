{{
    config(
        unique_key='person_id',
        post_hook="{{ delete_vanished_persons() }}",
    )
}}

{#- BI-facing person dimension: the survivors of dim_customer_pii with personal data masked and the
    address reduced to city / state. A daily run masks only the persons dim_customer_pii rebuilt
    (refreshed_on); persons left without a customer are deleted (post-hook). -#}
with

customers as (

    select * from {{ ref('dim_customer_pii') }}
    {%- if changes_only_run() %}
    where {{ business_date_filter('refreshed_on') }}
    {%- endif %}

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
