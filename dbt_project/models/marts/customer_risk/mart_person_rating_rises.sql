{{ config(unique_key='business_date') }}

{#- Limit review list: the persons whose risk rating rose on the business date
    (fct_person_risk_rating_daily.rating_change = 'rose'), with the previous and new rating, the reasons, the
    review action of the new rating (seed customer_risk_ratings: freeze or decrease), per rule of the new
    rating that fired that day, the accounts on which it held (what raised it) and the person's open accounts
    (whose limits the review acts on). Keys are person and account ids only.

    Cost: a daily run reads the run date's ratings, fired rules and accounts; delete+insert on business_date. -#}

with

ratings as (

    select * from {{ ref('customer_risk_ratings') }}

),

rises as (

    select * from {{ ref('fct_person_risk_rating_daily') }}
    where {{ business_date_filter() }}
        and rating_change = 'rose'

),

triggers as (

    select
        conditions.business_date,
        conditions.person_id,
        -- per rule, the accounts on which it fired that day: 'DPD_90_IN_24M:A1,A2; EW_TIER_HIGH:A1'
        {{ dbt.listagg("conditions.reason_code || ':' || conditions.account_ids", "'; '",
                       'order by conditions.reason_code') }} as trigger_accounts

    from {{ ref('fct_person_risk_conditions') }} as conditions

    inner join rises
        on rises.business_date = conditions.business_date
        and rises.person_id = conditions.person_id
        and rises.rating_order = conditions.rating_order

    where {{ business_date_filter('conditions.business_date') }}
        and conditions.account_ids is not null

    group by 1, 2

),

open_accounts as (

    select
        accounts.business_date,
        accounts.person_id,
        count(*) as open_account_count,
        sum(accounts.credit_limit) as open_credit_limit,
        {{ dbt.listagg('accounts.account_id', "','", 'order by accounts.account_id') }} as open_account_ids

    from {{ ref('fct_account_daily') }} as accounts

    inner join rises
        on rises.business_date = accounts.business_date
        and rises.person_id = accounts.person_id

    where {{ business_date_filter('accounts.business_date') }}
        and accounts.account_status = 'OPEN'

    group by 1, 2

),

final as (

    select
        cast(rises.business_date as date) as business_date,
        cast(rises.person_id as varchar) as person_id,
        cast(rises.previous_rating as varchar) as previous_rating,
        cast(rises.rating as varchar) as rating,
        cast(rises.reason_codes as varchar) as reason_codes,
        cast(ratings.limit_review_action as varchar) as limit_review_action,
        cast(triggers.trigger_accounts as varchar) as trigger_accounts,
        cast(open_accounts.open_account_ids as varchar) as open_account_ids,
        cast(coalesce(open_accounts.open_account_count, 0) as integer) as open_account_count,
        cast(open_accounts.open_credit_limit as numeric(18, 2)) as open_credit_limit

    from rises

    inner join ratings
        on ratings.rating_order = rises.rating_order

    left join triggers
        on triggers.business_date = rises.business_date
        and triggers.person_id = rises.person_id

    left join open_accounts
        on open_accounts.business_date = rises.business_date
        and open_accounts.person_id = rises.person_id

)

select * from final
