{{ config(unique_key='business_date') }}

{#- The rules of seed customer_risk_rules that fire for each person on each business date: a rule fires
    when its account condition held on one of the person's accounts that day, or on an earlier day less
    than lookback_months calendar months ago (0 = that day only). The conditions are written here once.

    Cost: a daily run reads the run date's accounts and early-warning tiers and the previous business
    date's rows of this table (the rules still firing, one row per person and rule), not the history;
    delete+insert on business_date. A run without the var evaluates every date from the days each
    condition held (each such day joined to the dates of its look-back: for years of a large book, rebuild
    date by date with the var instead). Dates are built in order, as the daily DAG does. -#}

{%- set changes_only = changes_only_run() %}

with

ratings as (

    select * from {{ ref('customer_risk_ratings') }}

),

rules as (

    select
        rules.reason_code,
        rules.account_condition,
        rules.early_warning_tier,
        rules.min_days_past_due,
        rules.lookback_months,
        rules.rating,
        ratings.rating_order

    from {{ ref('customer_risk_rules') }} as rules

    inner join ratings
        on ratings.rating = rules.rating

    where rules.is_enabled

),

accounts as (

    select
        business_date,
        account_id,
        person_id,
        account_status,
        days_past_due

    from {{ ref('fct_account_daily') }}
    where {{ business_date_filter() }}

),

early_warning as (

    select
        business_date,
        account_id,
        tier

    from {{ ref('mart_early_warning_daily') }}
    where {{ business_date_filter() }}

),

account_conditions as (

    select
        accounts.business_date,
        accounts.person_id,
        accounts.account_id,
        rules.reason_code

    from accounts

    left join early_warning
        on early_warning.business_date = accounts.business_date
        and early_warning.account_id = accounts.account_id

    inner join rules
        on (rules.account_condition = 'early_warning_tier' and rules.early_warning_tier = early_warning.tier)
        or (rules.account_condition = 'days_past_due' and rules.min_days_past_due <= accounts.days_past_due)
        or (rules.account_condition = 'charged_off' and accounts.account_status = 'CHARGED_OFF')

),

-- the days a rule's condition held for a person: the start of its look-back
seen as (

    select
        business_date as seen_on,
        person_id,
        reason_code,
        {{ dbt.listagg('account_id', "','", 'order by account_id') }} as account_ids

    from account_conditions

    group by 1, 2, 3

    {%- if changes_only %}

    union all

    -- the rules still firing on the previous business date, from the day they were last seen
    select
        last_seen_on as seen_on,
        person_id,
        reason_code,
        cast(null as varchar) as account_ids

    from {{ this }}
    where business_date = (
        {{ previous_business_date(ref('fct_account_daily')) }}
    )
    {%- endif %}

),

run_dates as (

    select distinct business_date
    from accounts

),

firing as (

    select
        run_dates.business_date,
        seen.person_id,
        seen.reason_code,
        max(seen.seen_on) as last_seen_on,
        max(case when seen.seen_on = run_dates.business_date then seen.account_ids end) as account_ids

    from run_dates

    inner join seen
        on seen.seen_on <= run_dates.business_date

    inner join rules
        on rules.reason_code = seen.reason_code

    where seen.seen_on = run_dates.business_date
        or run_dates.business_date < cast(
            {{ dbt.dateadd('month', 'rules.lookback_months', 'seen.seen_on') }} as date
        )

    group by 1, 2, 3

),

final as (

    select
        cast(firing.business_date as date) as business_date,
        cast(firing.person_id as varchar) as person_id,
        cast(firing.reason_code as varchar) as reason_code,
        cast(rules.rating as varchar) as rating,
        cast(rules.rating_order as integer) as rating_order,
        cast(firing.last_seen_on as date) as last_seen_on,
        cast(firing.account_ids as varchar) as account_ids

    from firing

    inner join rules
        on rules.reason_code = firing.reason_code

)

select * from final
