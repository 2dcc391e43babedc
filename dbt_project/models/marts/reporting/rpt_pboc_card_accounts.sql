{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- PBOC second-generation card account records (210, account type R2 贷记卡), modelled on public element names
    (docs/pboc.md; not an official specification): one row per account per month end for persons the
    jurisdiction model routes to the PBOC (a valid Chinese resident id), column names = the inputs of creditwh.reporting.pboc (spec.py maps each
    element to its column). Built only when the run's business_date is a month end; any other day is a
    no-op. An account that closed, was paid off or was sold during the month is reported from its closing
    day's row (its final record: 4 销户 with C or G), so no account vanishes from the file. History (the date
    of the five-tier class, first report) comes from this model's previous period row, so a period's cost
    grows with the period, not the history: periods are built in date order, as rpt_bureau_accounts. -#}

{%- set business_date = var('business_date', none) -%}
{%- set period = bureau_period() -%}
{%- set is_period_end = period.is_end -%}
{%- set period_start = period.start -%}
{%- set previous_period_end = period.previous_end -%}
{%- set codes = pboc_codes() -%}
{#- date literals of the period (null on other days, whose build selects no rows) -#}
{%- set period_end_sql = "cast('" ~ business_date ~ "' as date)" if is_period_end else 'cast(null as date)' -%}
{%- set previous_end_sql = "cast('" ~ previous_period_end ~ "' as date)" if is_period_end else 'cast(null as date)' -%}

with

month_end_accounts as (

    select * from {{ ref('fct_account_daily') }}
    {%- if is_period_end %}
    where {{ business_date_filter() }}
    {%- else %}
    where 1 = 0
    {%- endif %}

),

-- the closing day's row of accounts that closed or were sold during the month and are no longer delivered
closed_in_period as (

    select * from {{ ref('fct_account_daily') }}
    {%- if is_period_end %}
    where business_date between cast('{{ period_start }}' as date) and cast('{{ business_date }}' as date)
        and account_status in ('CLOSED', 'TRANSFERRED')
        and account_id not in (select month_end_accounts.account_id from month_end_accounts)
    qualify row_number() over (partition by account_id order by business_date desc) = 1
    {%- else %}
    where 1 = 0
    {%- endif %}

),

-- an account closed for confirmed fraud is not the consumer's debt: deleted whole (214, rpt_bureau_purges),
-- never reported again
accounts as (

    select * from (
        select
            *,
            false as closed_before_period_end
        from month_end_accounts

        union all

        select
            *,
            true as closed_before_period_end
        from closed_in_period
    ) as reported
    where not {{ closed_for_fraud('account_status', 'fraud_flag', 'status_reason') }}

),

-- persons routed to the PBOC (int_person_bureau_jurisdiction, the one home of the routing), with their name
-- and id number as of the period end (rpt_person_pii_at_period_end); a resident id another person also
-- holds identifies neither of them and is held back
persons as (

    select
        pii.person_id,
        coalesce(pii.local_name, pii.full_name) as person_name,
        pii.id_number

    from {{ ref('int_person_bureau_jurisdiction') }} as jurisdiction

    inner join {{ ref('rpt_person_pii_at_period_end') }} as pii
        on pii.person_id = jurisdiction.person_id
        and pii.period_end = {{ period_end_sql }}

    where jurisdiction.bureau = 'PBOC'
        and pii.id_number_is_valid
        and not coalesce(pii.has_identity_conflict, false)

),

-- 五级分类 code = the class's tier_order in the seed (1 正常 ... 5 损失): the fact's class, read, not redefined
five_tier_classes as (

    select distinct
        five_tier_class,
        tier_order

    from {{ ref('five_tier_classes') }}

),

period_payments as (

    select
        account_id,
        sum(payment_amount) as paid_in_period

    from {{ ref('stg_payments') }}
    {%- if is_period_end %}
    where business_date between cast('{{ period_start }}' as date) and cast('{{ business_date }}' as date)
    {%- else %}
    where 1 = 0
    {%- endif %}
    group by account_id

),

previous as (

    {%- if is_incremental() and is_period_end %}
    select
        account_id,
        five_cate,
        five_cate_adj_date

    from {{ this }}
    where period_end = cast('{{ previous_period_end }}' as date)
    {%- else %}
    -- first build: no previous period
    select
        cast(null as varchar) as account_id,
        cast(null as varchar) as five_cate,
        cast(null as date) as five_cate_adj_date
    where 1 = 0
    {%- endif %}

),

coded as (

    select
        accounts.*,
        persons.person_name,
        persons.id_number,
        period_payments.paid_in_period,
        previous.account_id is not null as has_previous,
        previous.five_cate as previous_five_cate,
        previous.five_cate_adj_date as previous_five_cate_adj_date,
        cast(five_tier_classes.tier_order as varchar) as five_cate,
        {{ period_end_sql }} as period_end_date,
        coalesce(accounts.closed_date, accounts.business_date) as end_date,
        {{ pboc_account_status('accounts.account_status', 'accounts.current_balance') }} as acct_status,
        {{ pboc_repayment_status('accounts.account_status', 'accounts.current_balance',
                                 'accounts.days_past_due', 'accounts.amount_past_due',
                                 'accounts.statement_balance') }} as rpy_status

    from accounts

    inner join persons
        on persons.person_id = accounts.person_id

    left join five_tier_classes
        on five_tier_classes.five_tier_class = accounts.five_tier_class

    left join period_payments
        on period_payments.account_id = accounts.account_id

    left join previous
        on previous.account_id = accounts.account_id

),

amounts as (

    select
        *,
        rpy_status in ('1', '2', '3', '4', '5', '6', '7') as is_overdue,
        -- the account is closed to use (3 止付, 4 销户): the closing date is reported
        acct_status in ('3', '4') as is_closed,
        cast(floor(greatest(coalesce(current_balance, 0), 0)) as bigint) as balance_yuan,
        cast(floor(greatest(coalesce(amount_past_due, 0), 0)) as bigint) as past_due_yuan

    from coded

),

final as (

    select
        period_end_date as period_end,
        -- = period_end: the business date whose run built the row (the quality gate's partition column)
        period_end_date as business_date,
        account_id,
        person_id,
        days_past_due,
        cycles_past_due,
        closed_before_period_end,

        ---------- 基础段 AcctBsSgmt (MngmtOrgCode is added at publication from the reporter settings)
        cast('{{ codes.inf_rec_type }}' as varchar) as inf_rec_type,
        cast('{{ codes.acct_type }}' as varchar) as acct_type,
        account_id as acct_code,
        period_end_date as rpt_date,
        cast(case
            when acct_status = '4' then '{{ codes.rpt_closed }}'
            when not has_previous then '{{ codes.rpt_first }}'
            when acct_status = '5' and charge_off_date > {{ previous_end_sql }}
                then '{{ codes.rpt_charged_off }}'
            else '{{ codes.rpt_monthly }}'
        end as varchar) as rpt_date_code,
        person_name as name,
        cast('{{ codes.id_type_resident_id }}' as varchar) as id_type,
        id_number as id_num,

        ---------- 基本信息段 AcctBsInfSgmt
        cast('{{ codes.busi_lines }}' as varchar) as busi_lines,
        cast('{{ codes.busi_dtl_lines }}' as varchar) as busi_dtl_lines,
        open_date,
        cast('{{ codes.currency }}' as varchar) as cy,
        cast(floor(greatest(coalesce(credit_limit, 0), 0)) as bigint) as acct_cred_line,
        cast('{{ codes.guar_mode }}' as varchar) as guar_mode,
        cast('{{ codes.oth_repy_guar_way }}' as varchar) as oth_repy_guar_way,
        cast('{{ codes.asset_trand_flag }}' as varchar) as asset_trand_flag,
        cast('{{ codes.fund_sou }}' as varchar) as fund_sou,
        cast('{{ codes.loan_form }}' as varchar) as loan_form,

        ---------- 月度表现信息段 AcctMthlyBlgInfSgmt
        strftime(period_end_date, '%Y-%m') as report_month,
        coalesce(last_statement_date, period_end_date) as sett_date,
        acct_status,
        cast(case when acct_status = '4' then 0 else balance_yuan end as bigint) as acct_bal,
        cast(case
            when rpy_status = '*' or acct_status = '4' then 0
            else floor(greatest(coalesce(statement_balance, 0), 0))
        end as bigint) as prid_acct_bal,
        cast(case when acct_status = '4' then 0 else balance_yuan end as bigint) as used_amt,
        five_cate,
        -- kept while the class is unchanged; else the day it was determined, never outside open..close
        cast(case
            when previous_five_cate = five_cate then previous_five_cate_adj_date
            else greatest(open_date, end_date)
        end as date) as five_cate_adj_date,
        rpy_status,
        cast(case when is_overdue then greatest(coalesce(cycles_past_due, 0), 1) else 0 end as integer)
            as overd_prd,
        cast(case when is_overdue then past_due_yuan else 0 end as bigint) as tot_overd,
        -- the platform delivers the amount past due, not its split by age: it is reported in the band
        -- of its oldest part (the age of the account's delinquency), docs/pboc.md §3
        cast(case when is_overdue and days_past_due between 31 and 60 then past_due_yuan else 0 end as bigint)
            as oved31_60_princ,
        cast(case when is_overdue and days_past_due between 61 and 90 then past_due_yuan else 0 end as bigint)
            as oved61_90_princ,
        cast(case when is_overdue and days_past_due between 91 and 180 then past_due_yuan else 0 end as bigint)
            as oved91_180_princ,
        -- 透支180天以上未还余额: the card's balance once more than 180 days overdue
        cast(case when is_overdue and days_past_due > 180 then balance_yuan else 0 end as bigint)
            as ovedraw_ba_ove180,
        cast(case
            when rpy_status = '*' or acct_status = '4' then 0
            else floor(greatest(coalesce(minimum_payment_due, 0), 0))
        end as bigint) as cur_rpy_amt,
        cast(floor(greatest(coalesce(paid_in_period, 0), 0)) as bigint) as act_rpy_amt,
        cast(floor(greatest(coalesce(last_payment_amount, 0), 0)) as bigint) as lat_rpy_amt,
        last_payment_date as lat_rpy_date,
        cast(case when is_closed then end_date end as date) as close_date,

        ---------- 非月度表现信息段 AcctDbtInfSgmt: the event of the month (closed, sold, charged off)
        coalesce(acct_status = '4' or (acct_status = '5' and charge_off_date > {{ previous_end_sql }}), false)
            as has_non_monthly_segment

    from amounts

)

select * from final
