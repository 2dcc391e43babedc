{{ config(materialized='incremental', unique_key=['account_id', 'delinquency_start']) }}

{#- Each account's delinquency episodes - runs of days on which its PBOC record would carry negative
    information (当前还款状态 1-7 or B 呆账: macros pboc_repayment_status, is_negative_pboc) - one row per episode:
    delinquency_start is its first such day, delinquency_end the first later day it is not (brought current,
    paid off, a charge-off settled, closed with nothing owed, sold), null while it lasts. The end starts the
    PBOC's 5-year retention (征信业管理条例 §16, macro pboc_purge_due; rpt_bureau_purges). An account that
    leaves the deliveries while still owing (closed with a balance) keeps its episode open: its end is unknown.

    Cost: a daily run reads the open episodes (one row each) and the staged days after the last date this
    table was written for (up to 31 days back, normally the run's date alone); it rewrites the episodes it
    touched (delete+insert on account and start). The first build, and a run without the var, process every
    date. Dates are built in order, as the daily DAG does: a restated past date is not re-read. -#}

{%- set changes_only = changes_only_run() %}

with

{%- if changes_only %}

processed as (

    select max(as_of_date) as business_date
    from {{ this }}
    where as_of_date < {{ business_date_literal() }}
        and as_of_date >= cast({{ dbt.dateadd('day', -31, business_date_literal()) }} as date)

),

-- the open episodes, as one negative day at their start: the days that follow extend or end them
carried as (

    select
        delinquency_start as business_date,
        account_id,
        true as is_negative

    from {{ this }}
    where delinquency_end is null

),

{%- endif %}

accounts as (

    select
        business_date,
        account_id,
        {{ is_negative_pboc(pboc_repayment_status('account_status', 'current_balance', 'days_past_due',
                                                  'amount_past_due', 'statement_balance')) }} as is_negative

    from {{ ref('stg_accounts') }}
    where {{ days_not_yet_processed('processed', changes_only) }}

),

stacked as (

    {%- if changes_only %}
    select * from carried
    union all
    {%- endif %}
    select * from accounts

),

-- each day that is not negative starts a new run number: the negative days of run n are one episode, the
-- first day of run n + 1 ends it
numbered as (

    select
        *,
        {{ run_number('is_negative') }} as episode_run

    from stacked

),

episodes as (

    select
        account_id,
        episode_run,
        min(business_date) as delinquency_start

    from numbered
    where is_negative
    group by account_id, episode_run

),

ends as (

    select
        account_id,
        episode_run - 1 as episode_run,
        min(business_date) as delinquency_end

    from numbered
    where not is_negative
    group by account_id, episode_run

),

final as (

    select
        cast(episodes.account_id as varchar) as account_id,
        cast(episodes.delinquency_start as date) as delinquency_start,
        cast(ends.delinquency_end as date) as delinquency_end,
        -- the date of the run that wrote the row
        cast({{ run_refreshed_on() }} as date) as as_of_date

    from episodes

    left join ends
        on ends.account_id = episodes.account_id
            and ends.episode_run = episodes.episode_run

)

select * from final
