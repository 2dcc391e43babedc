{{ config(unique_key='business_date') }}

{#- Repayment plan inventory and performance (docs/domain.md §9) as of the run's date, by plan type and start
    month: plans started, their status as of the date (active, completed, broken, cancelled), the share past
    due (DPD > 0 and 30+) 3 and 6 months after the start among the plans measured then, and cure on plan
    (delinquent on the start date, current 3 months later). One row per business date, plan_type and
    start_month.

    Cost: a daily run reads the plan versions delivered up to its date (a plan is a few versions; plans are a
    few per cent of the accounts) and the plans' milestone rows (int_repayment_plan_outcomes: three per plan),
    never the account history (delete+insert on business_date). -#}

with

run_dates as (

    select distinct business_date
    from {{ ref('stg_accounts') }}
    where {{ business_date_filter('business_date') }}

),

versions as (

    select
        run_dates.business_date,
        plans.plan_id,
        plans.plan_type,
        plans.start_date,
        plans.plan_status,
        row_number() over (
            partition by run_dates.business_date, plans.plan_id order by plans.business_date desc
        ) as version_rank

    from {{ ref('stg_repayment_plans') }} as plans

    inner join run_dates
        on run_dates.business_date >= plans.business_date

),

plans_as_of as (

    select * from versions
    where version_rank = 1

),

outcomes as (

    select
        run_dates.business_date,
        outcomes.plan_id,
        outcomes.months_after_start,
        outcomes.is_past_due,
        outcomes.is_30_plus

    from {{ ref('int_repayment_plan_outcomes') }} as outcomes

    inner join run_dates
        on run_dates.business_date >= outcomes.business_date

),

per_plan as (

    select
        plans_as_of.business_date,
        plans_as_of.plan_id,
        plans_as_of.plan_type,
        {{ month_start('plans_as_of.start_date') }} as start_month,
        plans_as_of.plan_status,
        at_start.is_past_due as is_delinquent_at_start,
        at_3m.is_past_due as is_past_due_3m,
        at_3m.is_30_plus as is_30_plus_3m,
        at_6m.is_past_due as is_past_due_6m,
        at_6m.is_30_plus as is_30_plus_6m

    from plans_as_of

    left join outcomes as at_start
        on at_start.business_date = plans_as_of.business_date
        and at_start.plan_id = plans_as_of.plan_id
        and at_start.months_after_start = 0

    left join outcomes as at_3m
        on at_3m.business_date = plans_as_of.business_date
        and at_3m.plan_id = plans_as_of.plan_id
        and at_3m.months_after_start = 3

    left join outcomes as at_6m
        on at_6m.business_date = plans_as_of.business_date
        and at_6m.plan_id = plans_as_of.plan_id
        and at_6m.months_after_start = 6

),

summed as (

    select
        business_date,
        plan_type,
        start_month,
        count(*) as plans_started,
        {%- for status in ['ACTIVE', 'COMPLETED', 'BROKEN', 'CANCELLED'] %}
        sum(case when plan_status = '{{ status }}' then 1 else 0 end) as plans_{{ status | lower }},
        {%- endfor %}
        {%- for months in ['3m', '6m'] %}
        sum(case when is_past_due_{{ months }} is not null then 1 else 0 end) as plans_measured_{{ months }},
        sum(case when is_past_due_{{ months }} then 1 else 0 end) as plans_past_due_{{ months }},
        sum(case when is_30_plus_{{ months }} then 1 else 0 end) as plans_30_plus_{{ months }},
        {%- endfor %}
        sum(case when is_delinquent_at_start and is_past_due_3m is not null then 1 else 0 end)
            as plans_delinquent_at_start_measured_3m,
        sum(case when is_delinquent_at_start and not is_past_due_3m then 1 else 0 end) as plans_cured_3m

    from per_plan

    group by business_date, plan_type, start_month

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(plan_type as varchar) as plan_type,
        cast(start_month as date) as start_month,
        cast(plans_started as integer) as plans_started,
        cast(plans_active as integer) as plans_active,
        cast(plans_completed as integer) as plans_completed,
        cast(plans_broken as integer) as plans_broken,
        cast(plans_cancelled as integer) as plans_cancelled,
        {%- for months in ['3m', '6m'] %}
        cast(plans_measured_{{ months }} as integer) as plans_measured_{{ months }},
        cast(plans_past_due_{{ months }} as integer) as plans_past_due_{{ months }},
        cast(plans_30_plus_{{ months }} as integer) as plans_30_plus_{{ months }},
        cast(
            cast(plans_past_due_{{ months }} as double precision) / nullif(plans_measured_{{ months }}, 0)
            as double precision
        ) as past_due_rate_{{ months }},
        cast(
            cast(plans_30_plus_{{ months }} as double precision) / nullif(plans_measured_{{ months }}, 0)
            as double precision
        ) as dpd_30_plus_rate_{{ months }},
        {%- endfor %}
        cast(plans_delinquent_at_start_measured_3m as integer) as plans_delinquent_at_start_measured_3m,
        cast(plans_cured_3m as integer) as plans_cured_3m,
        cast(
            cast(plans_cured_3m as double precision) / nullif(plans_delinquent_at_start_measured_3m, 0)
            as double precision
        ) as cure_rate_3m

    from summed

)

select * from final
