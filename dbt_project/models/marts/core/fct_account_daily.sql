{{ config(unique_key='business_date') }}

{#- One row per account per business date. Each daily run reads only its business date and replaces
    that date's rows (delete+insert on business_date), so re-runs and restatements never duplicate. -#}
with

accounts as (

    select * from {{ ref('int_accounts_classified') }}
    where {{ business_date_filter('business_date') }}

),

customer_person as (

    select * from {{ ref('int_customer_person') }}

),

-- the account's plan on the date: its active plan, else the plan that ended that day (docs/domain.md §9)
ranked_plans as (

    select
        business_date,
        account_id,
        plan_id,
        plan_type,
        plan_status,
        start_date,
        row_number() over (
            partition by business_date, account_id
            order by case when plan_status = 'ACTIVE' then 0 else 1 end, status_date desc, plan_id desc
        ) as plan_rank

    from {{ ref('int_account_repayment_plans') }}
    where {{ business_date_filter('business_date') }}

),

plans as (

    select * from ranked_plans
    where plan_rank = 1

),

final as (

    select
        accounts.business_date,
        accounts.account_id,
        accounts.customer_id,
        coalesce(customer_person.person_id, 'P' || accounts.customer_id) as person_id,
        accounts.joint_customer_id,
        accounts.product_code,
        accounts.branch_code,
        accounts.open_date,
        accounts.vintage_month,
        accounts.months_on_book,
        accounts.account_status,
        accounts.status_reason,
        accounts.closed_date,
        accounts.charge_off_date,
        accounts.charge_off_amount,
        accounts.credit_limit,
        accounts.current_balance,
        accounts.statement_balance,
        accounts.last_statement_date,
        accounts.minimum_payment_due,
        accounts.payment_due_date,
        accounts.amount_past_due,
        accounts.days_past_due,
        accounts.cycles_past_due,
        accounts.utilization,
        accounts.bucket_code,
        accounts.bucket_order,
        accounts.five_tier_class,
        accounts.ifrs9_stage,
        accounts.metro2_account_status,
        accounts.is_month_end,
        accounts.ctd_purchase_amount,
        accounts.ctd_cash_advance_amount,
        accounts.ctd_cash_advance_count,
        accounts.ctd_payment_amount,
        accounts.last_payment_date,
        accounts.last_payment_amount,
        accounts.fraud_flag,
        accounts.hardship_flag,
        accounts.dispute_flag,
        plans.plan_id,
        plans.plan_type,
        plans.plan_status,
        plans.start_date as plan_start_date

    from accounts

    left join customer_person
        on customer_person.customer_id = accounts.customer_id

    left join plans
        on plans.business_date = accounts.business_date
        and plans.account_id = accounts.account_id

)

select * from final
