{{ config(unique_key='business_date') }}

{#- The consumer disputes open on the run's date, with the legal clock of each: a Metro 2 record says the
    account is disputed (compliance condition XB); the PBOC marks its record itself (异议标注, 征信业管理条例
    §25) and the data provider checks and corrects - 212 / 214, docs/pboc.md §7 - within var
    bureau_dispute_answer_days (default 20) days of receipt. A dispute open past that date is overdue and
    reported as such by the daily run. -#}

{%- set answer_days = var('bureau_dispute_answer_days', 20) | int %}

with

disputes as (

    select * from {{ ref('int_account_disputes') }}
    where {{ business_date_filter() }}

),

accounts as (

    select
        business_date,
        account_id,
        customer_id,
        person_id

    from {{ ref('fct_account_daily') }}
    where {{ business_date_filter() }}

),

jurisdictions as (

    select * from {{ ref('int_person_bureau_jurisdiction') }}

),

final as (

    select
        disputes.business_date,
        disputes.account_id,
        accounts.customer_id,
        accounts.person_id,
        jurisdictions.bureau,
        disputes.received_on,
        cast(disputes.business_date - disputes.received_on as integer) as days_open,
        cast({{ dbt.dateadd('day', answer_days, 'disputes.received_on') }} as date) as answer_due_on,
        disputes.business_date > cast({{ dbt.dateadd('day', answer_days, 'disputes.received_on') }} as date)
            as is_overdue

    from disputes

    left join accounts
        on
            accounts.business_date = disputes.business_date
            and accounts.account_id = disputes.account_id

    left join jurisdictions
        on jurisdictions.person_id = accounts.person_id

)

select * from final
