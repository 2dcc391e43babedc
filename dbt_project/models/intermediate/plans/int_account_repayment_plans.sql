{{ config(materialized='incremental', unique_key='business_date') }}

{#- Each repayment plan's state as of each business date (docs/domain.md §9): one row per plan and date
    while the plan is ACTIVE, and one more on the date its final status (COMPLETED / BROKEN / CANCELLED)
    was delivered. A plan's state on a date is its latest version delivered on or before it
    (stg_repayment_plans: a version on the start and on each status change).

    Cost: a daily run reads the day's plan versions and this table's ACTIVE rows of the previous date it
    holds (up to 31 days back): the state of yesterday with today's events applied. Dates loaded since then
    that no run has processed are processed with it, in one set-based pass (delete+insert on
    business_date). The first build, and a run without the var, process every date. Dates must be built in
    order, as the daily DAG does. -#}

{%- set changes_only = changes_only_run() %}

with

{%- if changes_only %}

previous_date as (

    select ({{ previous_business_date(this) }}) as business_date

),

-- the plans active on that date, as versions that hold from it
carried as (

    select
        business_date,
        plan_id,
        account_id,
        plan_type,
        plan_status,
        start_date,
        status_date,
        term_months,
        principal_amount,
        instalment_amount,
        true as is_carried

    from {{ this }}
    where business_date = (select previous_date.business_date from previous_date)
        and plan_status = 'ACTIVE'

),

{%- endif %}

delivered as (

    select
        business_date,
        plan_id,
        account_id,
        plan_type,
        plan_status,
        start_date,
        status_date,
        term_months,
        principal_amount,
        instalment_amount,
        false as is_carried

    from {{ ref('stg_repayment_plans') }}
    where {{ days_not_yet_processed('previous_date', changes_only) }}

),

versions as (

    {%- if changes_only %}
    select * from carried
    union all
    {%- endif %}
    select * from delivered

),

-- a version holds from its delivery date until the plan's next version
version_spans as (

    select
        *,
        lead(business_date) over (partition by plan_id order by business_date asc, is_carried desc) as next_version_date

    from versions

),

run_dates as (

    select distinct business_date
    from {{ ref('stg_accounts') }}
    where {{ days_not_yet_processed('previous_date', changes_only) }}

),

final as (

    select
        run_dates.business_date,
        version_spans.plan_id,
        version_spans.account_id,
        version_spans.plan_type,
        version_spans.plan_status,
        version_spans.start_date,
        version_spans.status_date,
        version_spans.term_months,
        version_spans.principal_amount,
        version_spans.instalment_amount

    from version_spans

    inner join run_dates
        on run_dates.business_date >= version_spans.business_date
        and (version_spans.next_version_date is null or run_dates.business_date < version_spans.next_version_date)
        -- a final status shows on the date it was delivered only; a carried row's own date is not rewritten
        and (version_spans.plan_status = 'ACTIVE' or run_dates.business_date = version_spans.business_date)
        and not (version_spans.is_carried and run_dates.business_date = version_spans.business_date)

)

select * from final
