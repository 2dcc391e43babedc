{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- Consumers to be told, before the period's bureau files go out, that negative information about them is
    reported for the first time (征信业管理条例 §15; the FCRA's notice of negative information for Metro 2):
    one row per account whose record of the period is negative (macros/negative_information.sql) when no
    earlier record of it was: its previous period's record (a daily run reads that one) and, for a daily
    run, no earlier notice. The contact fields are clear personal data (a restricted extract), the holder's as
    of the period end (rpt_person_pii_at_period_end, as the bureau records). A no-op on
    dates that are not a bureau period end (the reports hold no rows for them). A build without the var
    walks every period with the same rule. -#}

with

metro2_records as (

    select
        period_end,
        account_id,
        person_id,
        'METRO2' as bureau,
        account_status as reported_status,
        {{ is_negative_metro2('account_status') }} as is_negative,
        days_past_due,
        amount_past_due

    from {{ ref('rpt_bureau_accounts') }}
    where {{ business_date_lookback_filter(31, 'period_end') }}

),

pboc_records as (

    select
        period_end,
        account_id,
        person_id,
        'PBOC' as bureau,
        rpy_status as reported_status,
        {{ is_negative_pboc('rpy_status') }} as is_negative,
        days_past_due,
        tot_overd as amount_past_due

    from {{ ref('rpt_pboc_card_accounts') }}
    where {{ business_date_lookback_filter(31, 'period_end') }}

),

records as (

    select * from metro2_records
    union all
    select * from pboc_records

),

-- each record beside the negative records of the same account and bureau before it in the window
with_previous as (

    select
        *,
        count(*) filter (where is_negative) over (
            partition by bureau, account_id
            order by period_end
            rows between unbounded preceding and 1 preceding
        ) as negative_before

    from records

),

{%- if is_incremental() %}

noticed_before as (

    select distinct
        bureau,
        account_id

    from {{ this }}
    where {{ business_date_filter('period_end', '<=') }}
        and not ({{ business_date_filter('period_end') }})

),

{%- endif %}

first_negative as (

    select with_previous.*

    from with_previous
    {%- if is_incremental() %}
    left join noticed_before
        on
            noticed_before.bureau = with_previous.bureau
            and noticed_before.account_id = with_previous.account_id
    {%- endif %}

    where with_previous.is_negative
        and with_previous.negative_before = 0
        and {{ business_date_filter('with_previous.period_end') }}
        {%- if is_incremental() %}
        and noticed_before.account_id is null
        {%- endif %}

),

-- the holder as of the period end: the name and address the period's bureau record carries, whenever the
-- period is built (its own month-end run, a history load or catch-up after later dates)
contacts as (

    select * from {{ ref('rpt_person_pii_at_period_end') }}
    where {{ business_date_lookback_filter(31, 'period_end') }}

),

final as (

    select
        cast(first_negative.period_end as date) as period_end,
        cast(first_negative.period_end as date) as business_date,
        cast(first_negative.bureau as varchar) as bureau,
        cast(first_negative.account_id as varchar) as account_id,
        cast(first_negative.person_id as varchar) as person_id,
        cast(first_negative.reported_status as varchar) as reported_status,
        cast(first_negative.days_past_due as integer) as days_past_due,
        cast(first_negative.amount_past_due as bigint) as amount_past_due,
        cast(coalesce(contacts.local_name, contacts.full_name) as varchar) as notice_name,
        cast(contacts.address_line1 as varchar) as address_line1,
        cast(contacts.address_line2 as varchar) as address_line2,
        cast(contacts.city as varchar) as city,
        cast(contacts.state_code as varchar) as state_code,
        cast(contacts.postal_code as varchar) as postal_code,
        cast(case when contacts.mobile_phone_is_valid then contacts.mobile_phone end as varchar) as mobile_phone

    from first_negative

    left join contacts
        on
            contacts.person_id = first_negative.person_id
            and contacts.period_end = first_negative.period_end

)

select * from final
