with

source as (

    select * from {{ source('raw', 'charges') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        charge_id,
        account_id,
        reverses_charge_id,
        plan_id,

        ---------- text
        upper(charge_type) as charge_type,

        ---------- dates
        posting_date,

        ---------- numerics
        {{ money("charge_amount") }} as charge_amount,

        ---------- booleans
        upper(charge_type) in ('WAIVER', 'REVERSAL') as is_return,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
