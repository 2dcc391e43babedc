{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- What negative history leaves the bureaus in a period, one row per record (docs/pboc.md §6, docs/metro2.md
    §6): compliance's list, and the input of the PBOC publication's 213 / 214 records.

    NEGATIVE_HISTORY_5Y (213 按段删除): 征信业管理条例 §16 keeps negative information 5 years from the day the
    delinquency ended (int_account_delinquency_episodes; macro pboc_purge_due). In the period in which that
    day falls, the episode's monthly segments (H, and J where the month had one) of the periods it was
    reported negative in are deleted - one record per segment code, DelStartDate..DelEndDate spanning those
    periods' report dates. Only the crossing period lists it, so it is sent once.

    FRAUD (214 整笔删除): an account closed for confirmed fraud (macro closed_for_fraud) is not the consumer's
    debt: in the period it was closed for fraud the whole account is deleted, if an earlier period reported
    it; rpt_pboc_card_accounts reports it no more.

    FCRA_OBSOLETE_7Y (Metro 2, no record sent): FCRA §605 lets a consumer reporting agency report a
    delinquency for 7 years from 180 days after it began (macro metro2_obsolete_on); the agency purges it, the
    furnisher keeps reporting the same Date of First Delinquency (never re-aged, docs/metro2.md §6). Listed in
    the period the date falls in, for compliance to see, from the DOFD the period's Metro 2 record carries.

    Built only when the run's business_date is a month end (any other day is a no-op), like
    rpt_pboc_card_accounts, which it reads for the periods reported. -#}

{%- set business_date = var('business_date', none) -%}
{%- set period = bureau_period() -%}
{%- set is_period_end = period.is_end -%}
{%- set period_start = period.start -%}
{%- set previous_period_end = period.previous_end -%}

with

-- episodes whose 5 years run out in this period
expiring as (

    select
        account_id,
        delinquency_start,
        delinquency_end,
        {{ pboc_purge_due('delinquency_end') }} as purge_due_on

    from {{ ref('int_account_delinquency_episodes') }}
    {%- if is_period_end %}
    where {{ pboc_purge_due('delinquency_end') }}
        between cast('{{ period_start }}' as date) and cast('{{ business_date }}' as date)
    {%- else %}
    where 1 = 0
    {%- endif %}

),

-- the periods that reported the episode negative, and whether their record had a non-monthly segment
reported as (

    select
        expiring.account_id,
        expiring.delinquency_start,
        expiring.delinquency_end,
        expiring.purge_due_on,
        pboc.period_end as reported_period,
        pboc.acct_code,
        pboc.has_non_monthly_segment

    from expiring

    inner join {{ ref('rpt_pboc_card_accounts') }} as pboc
        on pboc.account_id = expiring.account_id
            and pboc.period_end >= expiring.delinquency_start
            and pboc.period_end < expiring.delinquency_end

    where {{ is_negative_pboc('pboc.rpy_status') }}

),

segments as (

    select
        account_id,
        acct_code,
        delinquency_start,
        delinquency_end,
        purge_due_on,
        'H' as del_sgmt_code,
        reported_period

    from reported

    union all

    select
        account_id,
        acct_code,
        delinquency_start,
        delinquency_end,
        purge_due_on,
        'J' as del_sgmt_code,
        reported_period

    from reported
    where has_non_monthly_segment

),

negative_history as (

    select
        account_id,
        acct_code,
        'NEGATIVE_HISTORY_5Y' as reason,
        '213' as record_type,
        del_sgmt_code,
        min(reported_period) as del_start_date,
        max(reported_period) as del_end_date,
        delinquency_start,
        delinquency_end,
        purge_due_on as event_date

    from segments
    group by account_id, acct_code, delinquency_start, delinquency_end, purge_due_on, del_sgmt_code

),

-- the first day in the period each account was closed for fraud, unless it already was at the previous
-- period end
fraud_days as (

    select
        account_id,
        min(business_date) as closed_for_fraud_on

    from {{ ref('fct_account_daily') }}
    {%- if is_period_end %}
    where business_date between cast('{{ previous_period_end }}' as date) and cast('{{ business_date }}' as date)
        and {{ closed_for_fraud('account_status', 'fraud_flag', 'status_reason') }}
    {%- else %}
    where 1 = 0
    {%- endif %}
    group by account_id

),

-- reported in an earlier period: there is something on file to delete
previously_reported as (

    select distinct
        account_id,
        acct_code

    from {{ ref('rpt_pboc_card_accounts') }}
    {%- if is_period_end %}
    where period_end < cast('{{ business_date }}' as date)
        and account_id in (select fraud_days.account_id from fraud_days)
    {%- else %}
    where 1 = 0
    {%- endif %}

),

fraud as (

    select
        fraud_days.account_id,
        previously_reported.acct_code,
        'FRAUD' as reason,
        '214' as record_type,
        cast(null as varchar) as del_sgmt_code,
        cast(null as date) as del_start_date,
        cast(null as date) as del_end_date,
        cast(null as date) as delinquency_start,
        cast(null as date) as delinquency_end,
        fraud_days.closed_for_fraud_on as event_date

    from fraud_days

    inner join previously_reported
        on previously_reported.account_id = fraud_days.account_id

    {%- if is_period_end %}
    where fraud_days.closed_for_fraud_on > cast('{{ previous_period_end }}' as date)
    {%- endif %}

),

-- Metro 2 records whose reported DOFD reaches the FCRA's 7 years in this period
obsolete as (

    select
        account_id,
        consumer_account_number as acct_code,
        'FCRA_OBSOLETE_7Y' as reason,
        cast(null as varchar) as record_type,
        cast(null as varchar) as del_sgmt_code,
        cast(null as date) as del_start_date,
        cast(null as date) as del_end_date,
        date_first_delinquency as delinquency_start,
        cast(null as date) as delinquency_end,
        {{ metro2_obsolete_on('date_first_delinquency') }} as event_date

    from {{ ref('rpt_bureau_accounts') }}
    {%- if is_period_end %}
    where period_end = cast('{{ business_date }}' as date)
        and {{ metro2_obsolete_on('date_first_delinquency') }}
        between cast('{{ period_start }}' as date) and cast('{{ business_date }}' as date)
    {%- else %}
    where 1 = 0
    {%- endif %}

),

final as (

    select
        {{ "cast('" ~ business_date ~ "' as date)" if is_period_end else 'cast(null as date)' }} as period_end,
        -- = period_end: the business date whose run built the row
        {{ "cast('" ~ business_date ~ "' as date)" if is_period_end else 'cast(null as date)' }} as business_date,
        cast(case when reason = 'FCRA_OBSOLETE_7Y' then 'METRO2' else 'PBOC' end as varchar) as bureau,
        cast(account_id as varchar) as account_id,
        cast(acct_code as varchar) as acct_code,
        cast(reason as varchar) as reason,
        cast(record_type as varchar) as record_type,
        cast(del_sgmt_code as varchar) as del_sgmt_code,
        cast(del_start_date as date) as del_start_date,
        cast(del_end_date as date) as del_end_date,
        cast(delinquency_start as date) as delinquency_start,
        cast(delinquency_end as date) as delinquency_end,
        cast(event_date as date) as event_date

    from (
        select * from negative_history
        union all
        select * from fraud
        union all
        select * from obsolete
    ) as purges

)

select * from final
