{{ config(unique_key='business_date') }}

{#- Interest and fee income with its waivers and reversals (docs/domain.md §9), per posting date, product and
    bucket: one row per business date, product_code and bucket_code with postings. The bucket is the
    account's on the posting date (int_accounts_classified, the one home of buckets: seed dpd_buckets).
    A settlement's write-off (a WAIVER naming no fee) is a balance written off, not a fee returned: its own
    column, outside net income.

    Cost: a daily run reads the day's charges and the day's classified accounts (delete+insert on
    business_date). -#}

with

charges as (

    select * from {{ ref('stg_charges') }}
    where {{ business_date_filter('business_date') }}

),

accounts as (

    select
        business_date,
        account_id,
        product_code,
        bucket_code

    from {{ ref('int_accounts_classified') }}
    where {{ business_date_filter('business_date') }}

),

classified as (

    select
        charges.business_date,
        accounts.product_code,
        accounts.bucket_code,
        charges.charge_type,
        charges.charge_amount,
        charges.charge_type = 'WAIVER' and charges.reverses_charge_id is null as is_write_off

    from charges

    inner join accounts
        on accounts.business_date = charges.business_date
        and accounts.account_id = charges.account_id

),

summed as (

    select
        business_date,
        product_code,
        bucket_code,
        {%- for column, charge_type in [
            ('interest_amount', 'INTEREST'),
            ('penalty_interest_amount', 'PENALTY_INTEREST'),
            ('late_fee_amount', 'LATE_FEE'),
            ('annual_fee_amount', 'ANNUAL_FEE'),
            ('instalment_fee_amount', 'INSTALMENT_FEE'),
            ('cash_advance_fee_amount', 'CASH_ADVANCE_FEE'),
        ] %}
        sum(case when charge_type = '{{ charge_type }}' then charge_amount else 0 end) as {{ column }},
        {%- endfor %}
        sum(case when not is_write_off and charge_type not in ('WAIVER', 'REVERSAL') then charge_amount else 0 end)
            as gross_income_amount,
        -- returns are negative postings: shown as positive amounts returned
        -sum(case when charge_type = 'WAIVER' and not is_write_off then charge_amount else 0 end) as waived_amount,
        -sum(case when charge_type = 'REVERSAL' then charge_amount else 0 end) as reversed_amount,
        -sum(case when is_write_off then charge_amount else 0 end) as settlement_write_off_amount,
        sum(case when not is_write_off then charge_amount else 0 end) as net_income_amount,
        sum(case when not is_write_off and charge_type not in ('WAIVER', 'REVERSAL') then 1 else 0 end)
            as charges_posted,
        sum(case when not is_write_off and charge_type in ('WAIVER', 'REVERSAL') then 1 else 0 end)
            as returns_posted

    from classified

    group by business_date, product_code, bucket_code

),

final as (

    select
        cast(business_date as date) as business_date,
        cast(product_code as varchar) as product_code,
        cast(bucket_code as varchar) as bucket_code,
        {%- for column in fee_income_amount_columns() %}
        cast({{ column }} as numeric(20, 2)) as {{ column }},
        {%- endfor %}
        cast(charges_posted as integer) as charges_posted,
        cast(returns_posted as integer) as returns_posted

    from summed

)

select * from final
