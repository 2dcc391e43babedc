with

source as (

    select * from {{ source('raw', 'customers') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        customer_id,

        ---------- text, as keyed in (cleaning happens in int_customers_cleaned)
        family_name,
        given_name,
        local_name,
        upper(trim(id_type)) as id_type,
        id_number,
        mobile_phone,
        address_line1,
        address_line2,
        city,
        state_code,
        postal_code,

        ---------- dates
        birth_date,

        ---------- timestamps
        updated_at,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
