{#- Generic test: no account-day whose amount past due is at or under the bank's tolerance (seed
    repayment_policy) sits in a delinquent bucket (a DPD-scale bucket of seed dpd_buckets above DPD 0). The
    raw gate already rejects such rows from the platform (past_due_above_tolerance); this holds the
    classification to the same policy. -#}
{% test not_delinquent_within_tolerance(model) %}
    with

    classified as (

        select * from {{ model }}

    ),

    delinquent_buckets as (

        select bucket_code
        from {{ ref('dpd_buckets') }}
        where
            nullif(trim(account_status), '') is null
            and cast(nullif(trim(min_dpd), '') as integer) > 0

    ),

    repayment_policy as (

        select tolerance_amount
        from {{ ref('repayment_policy') }}

    )

    select
        classified.business_date,
        classified.account_id,
        classified.bucket_code,
        classified.amount_past_due,
        repayment_policy.tolerance_amount

    from classified

    inner join delinquent_buckets
        on classified.bucket_code = delinquent_buckets.bucket_code

    cross join repayment_policy

    where coalesce(classified.amount_past_due, 0) <= repayment_policy.tolerance_amount
{% endtest %}
