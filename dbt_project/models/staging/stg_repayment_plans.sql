with

source as (

    select * from {{ source('raw', 'repayment_plans') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        plan_id,
        account_id,

        ---------- text
        upper(plan_type) as plan_type,
        upper(plan_status) as plan_status,

        ---------- dates
        start_date,
        status_date,

        ---------- numerics
        term_months,
        {{ money("principal_amount") }} as principal_amount,
        {{ money("instalment_amount") }} as instalment_amount,
        cast(rate_percent as decimal(9, 2)) as rate_percent,
        {{ money("amount_waived") }} as amount_waived,

        ---------- booleans
        upper(plan_status) = 'ACTIVE' as is_active,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
