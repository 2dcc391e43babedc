{{ config(unique_key='business_date') }}

-- depends_on: {{ ref('collection_treatment_strategy') }}

{#- Pre-due reminders and on-time payment, judged the day after the grace period of the due date they
    remind of (seed repayment_policy.grace_days): of the accounts the strategy chose for a reminder
    (mart_collections_next_actions: reminder rows on the reminder list), those the platform reminded (an
    action on the planned channel between the list date and the due date) against those it did not, and how
    many of each were still current on the judging day - paid on time, the platform's days past due being 0.

    Cost: a daily run reads the reminder rows and the planned-channel actions of the window back to the
    longest reminder lead (strategy and policy seeds, read when the model compiles) and the judging day's
    accounts; delete+insert on business_date. -#}
{%- set lookback = 1 -%}
{%- if execute and var('business_date', none) is not none
    and load_relation(ref('collection_treatment_strategy')) is not none -%}
    {%- set longest = run_query(
        'select (select max(grace_days) from ' ~ ref('repayment_policy') ~ ') + (select max(max_days_to_due)'
        ~ ' from ' ~ ref('collection_treatment_strategy') ~ ' where is_reminder) + 2') -%}
    {%- set lookback = longest.columns[0].values()[0] | int -%}
{%- endif %}

with

policy as (

    select grace_days from {{ ref('repayment_policy') }}

),

planned as (

    select
        next_actions.list_date,
        next_actions.account_id,
        next_actions.tier,
        next_actions.channel,
        next_actions.payment_due_date,
        cast(
            {{ dbt.dateadd('day', 'policy.grace_days + 1', 'next_actions.payment_due_date') }} as date
        ) as judged_on

    from {{ ref('mart_collections_next_actions') }} as next_actions

    cross join policy

    where next_actions.is_reminder
        and next_actions.channel is not null
        and {{ business_date_lookback_filter(lookback, 'next_actions.business_date') }}

),

due_today as (

    select * from planned
    where {{ business_date_filter('judged_on') }}

),

actions as (

    select
        business_date,
        account_id,
        channel

    from {{ ref('stg_collection_actions') }}

    where {{ business_date_lookback_filter(lookback) }}

),

reminded as (

    select distinct
        due_today.account_id,
        due_today.list_date

    from due_today

    inner join actions
        on actions.account_id = due_today.account_id
        and actions.channel = due_today.channel
        and actions.business_date >= due_today.list_date
        and actions.business_date < due_today.payment_due_date

),

accounts as (

    select
        business_date,
        account_id,
        days_past_due

    from {{ ref('fct_account_daily') }}

    where {{ business_date_filter() }}

),

judged as (

    select
        accounts.business_date,
        due_today.payment_due_date,
        due_today.tier,
        reminded.account_id is not null as is_reminded,
        accounts.days_past_due = 0 as is_paid_on_time

    from due_today

    -- an account gone from the snapshot by the judging day is not judged
    inner join accounts
        on accounts.business_date = due_today.judged_on
        and accounts.account_id = due_today.account_id

    left join reminded
        on reminded.account_id = due_today.account_id
        and reminded.list_date = due_today.list_date

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(payment_due_date as date) as payment_due_date,
        cast(tier as varchar) as tier,
        cast(is_reminded as boolean) as is_reminded,
        cast(count(*) as integer) as accounts,
        cast(count(*) filter (where is_paid_on_time) as integer) as paid_on_time_accounts,
        cast(count(*) filter (where is_paid_on_time) as double precision) / count(*) as on_time_rate

    from judged

    group by business_date, payment_due_date, tier, is_reminded

)

select * from final
