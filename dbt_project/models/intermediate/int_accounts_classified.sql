{#- The one place where an account-day gets its bucket, five-tier class, IFRS 9 stage and Metro 2 status.
    A view: readers filter it by business_date and the filter reaches the raw scan. -#}
with

accounts as (

    select * from {{ ref('stg_accounts') }}

),

-- seed cells are text; empty = no bound / not a status row (see dbt_project.yml)
dpd_buckets as (

    select
        bucket_code,
        bucket_order,
        cast(nullif(trim(min_dpd), '') as integer) as min_dpd,
        cast(nullif(trim(max_dpd), '') as integer) as max_dpd,
        nullif(trim(account_status), '') as account_status,
        is_on_book

    from {{ ref('dpd_buckets') }}

),

five_tier_classes as (

    select
        five_tier_class,
        cast(nullif(trim(min_dpd), '') as integer) as min_dpd,
        cast(nullif(trim(max_dpd), '') as integer) as max_dpd,
        nullif(trim(account_status), '') as account_status

    from {{ ref('five_tier_classes') }}

),

bucketed as (

    select
        accounts.*,
        -- absorbing states (charged off, transferred, closed with nothing owed) win over the DPD scale;
        -- a closed account that still owes money keeps aging on the DPD scale
        coalesce(status_bucket.bucket_code, dpd_bucket.bucket_code) as bucket_code,
        coalesce(status_bucket.bucket_order, dpd_bucket.bucket_order) as bucket_order,
        coalesce(status_bucket.is_on_book, dpd_bucket.is_on_book) as is_on_book,
        coalesce(status_tier.five_tier_class, dpd_tier.five_tier_class) as five_tier_class

    from accounts

    left join dpd_buckets as status_bucket
        on status_bucket.account_status = accounts.account_status
        and (accounts.account_status <> 'CLOSED' or accounts.current_balance <= 0)

    left join dpd_buckets as dpd_bucket
        on dpd_bucket.account_status is null
        and dpd_bucket.min_dpd <= accounts.days_past_due
        and (dpd_bucket.max_dpd is null or dpd_bucket.max_dpd >= accounts.days_past_due)

    left join five_tier_classes as status_tier
        on status_tier.account_status = accounts.account_status

    left join five_tier_classes as dpd_tier
        on dpd_tier.account_status is null
        and dpd_tier.min_dpd <= accounts.days_past_due
        and (dpd_tier.max_dpd is null or dpd_tier.max_dpd >= accounts.days_past_due)

),

derived as (

    select
        *,
        {{ month_start('open_date') }} as vintage_month,
        cast({{ months_between('open_date', 'business_date') }} as integer) as months_on_book,
        cast(
            case when credit_limit > 0 then statement_balance / credit_limit end
            as numeric(18, 6)
        ) as utilization,
        {{ ifrs9_stage('account_status', 'days_past_due') }} as ifrs9_stage,
        {{ metro2_account_status('account_status', 'days_past_due', 'current_balance', 'fraud_flag',
                                 'amount_past_due', 'status_reason', 'charge_off_date') }}
            as metro2_account_status,
        {{ is_month_end('business_date') }} as is_month_end

    from bucketed

)

select * from derived
