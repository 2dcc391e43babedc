with

source as (

    select * from {{ source('raw', 'collection_actions') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        action_id,
        account_id,
        upper(holder_id) as holder_id,
        upper(collector_id) as collector_id,

        ---------- text
        upper(channel) as channel,
        upper(outcome) as outcome,

        ---------- dates
        action_ts,
        promised_date,

        ---------- numerics
        talk_seconds,
        {{ money("promised_amount") }} as promised_amount,

        ---------- booleans
        upper(outcome) = 'PTP' as is_promise_to_pay,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
