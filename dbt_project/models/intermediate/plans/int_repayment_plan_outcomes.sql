{{ config(materialized='incremental', unique_key='business_date') }}

{#- Each repayment plan's account measured at its start and 3 and 6 calendar months later (docs/domain.md §9):
    one row per plan and milestone (0, 3, 6 months), written on the business date the milestone falls on
    (start_date + N months; a start on the 29th-31st reaches a shorter month on its last day), with the
    account's days past due and status that day. A plan delivered only after its start (the first business
    date delivers the plans already running) has no start row; a milestone on a date not loaded is not
    measured.

    Cost: a daily run reads the day's classified accounts and the plan versions whose start is the run's
    date, 3 or 6 months before it (delete+insert on business_date). -#}

{%- set business_date = var('business_date', none) %}

with

plans as (

    select distinct
        plan_id,
        account_id,
        plan_type,
        start_date

    from {{ ref('stg_repayment_plans') }}
    where {{ business_date_filter('business_date', operator='<=') }}
    {%- if business_date is not none %}
        and start_date >= cast({{ dbt.dateadd('day', -3, dbt.dateadd('month', -6, business_date_literal())) }} as date)
    {%- endif %}

),

milestones as (

    {%- for months in [0, 3, 6] %}
    select
        plan_id,
        account_id,
        plan_type,
        start_date,
        {{ months }} as months_after_start,
        cast({{ dbt.dateadd('month', months, 'start_date') }} as date) as milestone_date

    from plans
    {% if not loop.last %}
    union all
    {% endif %}
    {%- endfor %}

),

accounts as (

    select
        business_date,
        account_id,
        account_status,
        days_past_due,
        bucket_code

    from {{ ref('int_accounts_classified') }}
    where {{ business_date_filter('business_date') }}

),

final as (

    select
        accounts.business_date,
        milestones.plan_id,
        milestones.months_after_start,
        milestones.account_id,
        milestones.plan_type,
        milestones.start_date,
        {{ month_start('milestones.start_date') }} as start_month,
        accounts.account_status,
        accounts.days_past_due,
        accounts.bucket_code,
        accounts.days_past_due > 0 or accounts.account_status = 'CHARGED_OFF' as is_past_due,
        accounts.days_past_due >= 30 or accounts.account_status = 'CHARGED_OFF' as is_30_plus

    from milestones

    inner join accounts
        on accounts.account_id = milestones.account_id
        and accounts.business_date = milestones.milestone_date

)

select * from final
