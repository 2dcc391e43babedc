with

source as (

    select * from {{ source('raw', 'collection_assignments') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        assignment_id,
        account_id,
        upper(holder_id) as holder_id,

        ---------- text
        upper(close_reason) as close_reason,

        ---------- dates
        valid_from,
        valid_to,

        ---------- numerics
        {{ money("balance_at_placement") }} as balance_at_placement,
        days_past_due_at_placement,

        ---------- booleans
        valid_to is null as is_open,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
