with

source as (

    select * from {{ source('raw', 'accounts') }}

),

renamed as (

    select

        ---------- ids
        business_date,
        account_id,
        customer_id,
        joint_customer_id,
        upper(product_code) as product_code,
        branch_code,

        ---------- text
        upper(account_status) as account_status,
        upper(status_reason) as status_reason,

        ---------- dates
        open_date,
        closed_date,
        charge_off_date,
        last_statement_date,
        payment_due_date,
        last_payment_date,

        ---------- numerics
        cycle_day,
        {{ money("credit_limit") }} as credit_limit,
        {{ money("current_balance") }} as current_balance,
        {{ money("statement_balance") }} as statement_balance,
        {{ money("minimum_payment_due") }} as minimum_payment_due,
        {{ money("amount_past_due") }} as amount_past_due,
        {{ money("charge_off_amount") }} as charge_off_amount,
        {{ money("ctd_purchase_amount") }} as ctd_purchase_amount,
        {{ money("ctd_cash_advance_amount") }} as ctd_cash_advance_amount,
        ctd_cash_advance_count,
        {{ money("ctd_payment_amount") }} as ctd_payment_amount,
        {{ money("last_payment_amount") }} as last_payment_amount,
        coalesce(days_past_due, 0) as days_past_due,
        coalesce(cycles_past_due, 0) as cycles_past_due,

        ---------- booleans
        coalesce(fraud_flag, false) as fraud_flag,
        coalesce(hardship_flag, false) as hardship_flag,
        coalesce(dispute_flag, false) as dispute_flag,

        ---------- load metadata
        _batch_id as batch_id,
        _loaded_at as loaded_at

    from source

)

select * from renamed
