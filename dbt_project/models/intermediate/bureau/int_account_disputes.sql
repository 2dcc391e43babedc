{{ config(materialized='incremental', unique_key='business_date') }}

{#- Open consumer disputes, one row per account per business date while the card platform flags the
    account as disputed (accounts.dispute_flag): received_on is the first date of the current dispute
    (the first day of the run of flagged days), kept until the flag is cleared; a later flag is a new
    dispute. The legal clocks (征信业管理条例 §25: answer within 20 days; FCRA: report the account as
    disputed) run from received_on (rpt_bureau_disputes).

    Cost: a daily run reads that day's flagged accounts and this table's rows of the previous date it holds
    (up to 31 days back); the first build, and a run without the var, process every date up to the run's
    date in one set-based pass. Dates are built in order, as the daily DAG does. -#}

{%- set changes_only = changes_only_run() %}

with

{%- if changes_only %}

previous_date as (

    select ({{ previous_business_date(this) }}) as business_date

),

-- the disputes open on that date (an account without a row had none)
carried as (

    select
        business_date,
        account_id,
        true as is_disputed,
        true as is_carried,
        received_on

    from {{ this }}
    where business_date = (select previous_date.business_date from previous_date)

),

{%- endif %}

accounts as (

    select
        business_date,
        account_id,
        dispute_flag

    from {{ ref('stg_accounts') }}
    where {{ days_not_yet_processed('previous_date', changes_only) }}

),

days as (

    select
        business_date,
        account_id,
        dispute_flag as is_disputed,
        false as is_carried,
        case when dispute_flag then business_date end as received_on

    from accounts

),

stacked as (

    {%- if changes_only %}
    select * from carried
    union all
    {%- endif %}
    select * from days

),

-- a dispute = a run of flagged days of an account; each unflagged day ends it
disputes as (

    select
        *,
        {{ run_number('is_disputed') }} as dispute_number

    from stacked

),

dated as (

    select
        *,
        {{ run_start('received_on', 'dispute_number') }} as first_received_on

    from disputes

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(account_id as varchar) as account_id,
        cast(first_received_on as date) as received_on

    from dated
    where is_disputed and not is_carried

)

select * from final
