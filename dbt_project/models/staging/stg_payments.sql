with

source as (

    select * from {{ source('raw', 'payments') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        payment_id,
        account_id,
        reversal_of_payment_id,

        ---------- text
        upper(payment_type) as payment_type,
        upper(payment_channel) as payment_channel,
        upper(return_reason) as return_reason,

        ---------- dates
        posting_date,
        effective_date,

        ---------- numerics
        {{ money("payment_amount") }} as payment_amount,

        ---------- booleans
        upper(payment_type) = 'REVERSAL' as is_reversal,
        upper(payment_type) = 'RECOVERY' as is_recovery,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
