{#- One row per collection placement (assignment), written on the day it opens: the holder, the balance
    at placement and the account's bucket that day (int_accounts_classified, the one home of bucketing).
    What the recovery KPIs attribute later payments to; kept as a table so a daily run finds the bucket of
    an old placement without reading the accounts' history. Cost: a daily run reads the day's assignment
    versions and the day's accounts. -#}
{{ config(materialized='incremental', unique_key='business_date') }}

with

openings as (

    select * from {{ ref('stg_collection_assignments') }}
    where {{ business_date_filter('business_date') }}
        and business_date = valid_from

),

accounts as (

    select * from {{ ref('int_accounts_classified') }}
    where {{ business_date_filter('business_date') }}

),

holders as (

    select * from {{ ref('collection_holders') }}

),

final as (

    select
        openings.business_date,
        openings.assignment_id,
        openings.account_id,
        openings.holder_id,
        holders.holder_type,
        holders.stage,
        openings.valid_from,
        {{ month_start('openings.valid_from') }} as placement_month,
        openings.balance_at_placement,
        openings.days_past_due_at_placement,
        accounts.bucket_code as bucket_at_placement

    from openings

    left join accounts
        on accounts.account_id = openings.account_id
        and accounts.business_date = openings.business_date

    left join holders
        on holders.holder_id = openings.holder_id

)

select * from final
