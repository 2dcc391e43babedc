{{ config(unique_key='business_date') }}

{#- Who qualifies for the shared blacklist on a business date, and why: one row per person with an
    account that day (also those who do not qualify: the publication needs what a listed person still
    owes, and their current band). Reasons (the platform's vocabulary): DPD90 (any
    account at or above var blacklist_dpd_threshold days past due), CHARGE_OFF (a charged-off account
    still owing), FRAUD_CONFIRMED. Exemption: a person with a kept hardship plan (an account's plan HARDSHIP
    and ACTIVE that day) does not qualify on DPD90 or CHARGE_OFF alone. Only what holds as of the business date: the display fields come from
    the person dimension (current state) at publication, so a re-run of a past date rebuilds the same rows;
    the subject's identity stays in
    restricted.dim_customer_pii (identity_key), and everything that compares with what was published
    (ADD / UPDATE / REMOVE, suppression, the HMAC subject key) is creditwh.reporting.blacklist. -#}

{%- set bounds = var('blacklist_amount_band_bounds') | map('int') | list %}
{%- if not bounds or bounds != (bounds | unique | sort | list) %}
    {{ exceptions.raise_compiler_error(
        "var blacklist_amount_band_bounds must increase strictly, got " ~ bounds) }}
{%- endif %}
{%- if var('blacklist_dpd_threshold') | int < 1 or var('blacklist_retention_years') | int < 1 %}
    {{ exceptions.raise_compiler_error(
        "vars blacklist_dpd_threshold and blacklist_retention_years must be positive") }}
{%- endif %}

with

accounts as (

    select * from {{ ref('fct_account_daily') }}
    where {{ business_date_filter() }}

),

per_person as (

    select
        business_date,
        person_id,
        max(days_past_due) as max_days_past_due,
        bool_or(account_status = 'CHARGED_OFF' and current_balance > 0) as is_charged_off_owing,
        bool_or(fraud_flag) as is_fraud_confirmed,
        bool_or(dispute_flag) as dispute_flag,
        -- a kept hardship plan on any of the person's accounts (docs/domain.md §6)
        coalesce(bool_or(plan_type = 'HARDSHIP' and plan_status = 'ACTIVE'), false) as is_on_kept_hardship_plan,
        sum(greatest(current_balance, 0)) as amount_owed

    from accounts

    group by business_date, person_id

),

reasoned as (

    select
        *,
        -- sorted and '|'-joined: a change of reasons is a plain inequality downstream
        concat_ws(
            '|',
            case when is_charged_off_owing then 'CHARGE_OFF' end,
            case when max_days_past_due >= {{ var('blacklist_dpd_threshold') | int }} then 'DPD90' end,
            case when is_fraud_confirmed then 'FRAUD_CONFIRMED' end
        ) as reason_codes,
        case
            {%- set lower = namespace(value=0) %}
            {%- for upper in bounds %}
            when amount_owed < {{ upper | int }} then '{{ lower.value }}-{{ upper | int }}'
            {%- set lower.value = upper | int %}
            {%- endfor %}
            else '{{ lower.value }}+'
        end as amount_band

    from per_person

)

select
    reasoned.business_date,
    reasoned.person_id,
    reasoned.reason_codes,
    -- the hardship exemption: a person keeping a hardship plan is not listed for arrears (DPD90, CHARGE_OFF);
    -- confirmed fraud is listed all the same
    reasoned.reason_codes <> ''
    and (not reasoned.is_on_kept_hardship_plan or reasoned.is_fraud_confirmed) as qualifies,
    reasoned.is_on_kept_hardship_plan,
    cast(reasoned.max_days_past_due as integer) as max_days_past_due,
    reasoned.is_charged_off_owing,
    reasoned.is_fraud_confirmed,
    reasoned.dispute_flag,
    {{ money('reasoned.amount_owed') }} as amount_owed,
    reasoned.amount_band,
    cast({{ dbt.dateadd('year', var('blacklist_retention_years') | int, 'reasoned.business_date') }} as date)
        as listing_expiry_date

from reasoned
