{{ config(materialized='incremental', unique_key='business_date') }}

{#- The start of each account's current delinquency, one row per account per business date while the
    account is delinquent (days past due above 0, or charged off): date_first_delinquency is the date the
    account first reached 30 days past due in this delinquency - Metro 2's Date of First Delinquency
    (docs/metro2.md §1.5). It is kept while the account stays delinquent: a partial payment that lowers the
    days past due without curing does not move it. The delinquency ends when the account is brought current
    (days past due 0, never charged off): the account has no row that day, and a later delinquency starts
    afresh. Null while the delinquency is younger than 30 days.

    The date a row shows is the earliest (due date of the oldest unpaid statement) + 30 days seen since the
    delinquency began: that due date only moves later while the delinquency lasts (payments cure the oldest
    statements first), unless a returned payment makes an older statement unpaid again - then the earlier
    date is the one the delinquency really started from. On the first business date an account is seen, the
    snapshot's days past due is all there is: business date - (days past due - 30).

    Cost: a daily run reads that day's accounts (stg_accounts: the platform's counters, no classification
    needed) and this table's rows of the previous date it holds (up to 31 days back), and orders only the
    delinquent ones; dates loaded since then that no run has processed are processed with it, in one set-based
    pass (delete+insert on business_date). The first build, and a run without the var, process every date
    up to the run's date. Dates must be built in order, as the daily DAG does: a restated past date changes
    its own rows, not the later dates'. -#}

{%- set changes_only = changes_only_run() %}

with

{%- if changes_only %}

previous_date as (

    select ({{ previous_business_date(this) }}) as business_date

),

-- the delinquencies open on that date (an account without a row was current)
carried as (

    select
        business_date,
        account_id,
        cast(null as integer) as days_past_due,
        true as is_delinquent,
        true as is_carried,
        date_first_delinquency as first_delinquency_candidate

    from {{ this }}
    where business_date = (select previous_date.business_date from previous_date)

),

{%- endif %}

accounts as (

    select
        business_date,
        account_id,
        days_past_due,
        charge_off_date

    from {{ ref('stg_accounts') }}
    where {{ days_not_yet_processed('previous_date', changes_only) }}

),

days as (

    select
        business_date,
        account_id,
        days_past_due,
        days_past_due > 0 or charge_off_date is not null as is_delinquent,
        false as is_carried,
        -- the due date of the oldest unpaid statement + 30 days
        case
            when days_past_due >= 30
                then cast({{ dbt.dateadd('day', '30 - days_past_due', 'business_date') }} as date)
            when charge_off_date is not null then charge_off_date
        end as first_delinquency_candidate

    from accounts

    {%- if var('business_date', none) is not none %}
    -- a current account on the run's date ends whatever it was in and starts nothing: only the earlier
    -- dates' current days matter (as ends of delinquencies), so a daily run orders only delinquent rows
    where days_past_due > 0 or charge_off_date is not null
        or business_date < {{ business_date_literal() }}
    {%- endif %}

),

stacked as (

    {%- if changes_only %}
    select * from carried
    union all
    {%- endif %}
    select * from days

),

-- a delinquency = a run of delinquent days of an account; each current day starts a new run
delinquencies as (

    select
        *,
        {{ run_number('is_delinquent') }} as delinquency_number

    from stacked

),

dated as (

    select
        *,
        {{ run_start('first_delinquency_candidate', 'delinquency_number') }} as date_first_delinquency

    from delinquencies

),

final as (

    select
        business_date,
        account_id,
        days_past_due,
        date_first_delinquency

    from dated
    where is_delinquent and not is_carried

)

select * from final
