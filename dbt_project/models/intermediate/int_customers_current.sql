{#- The latest version of each customer id as of the run's business date (all dates when no var). -#}
with

customers as (

    select * from {{ ref('int_customers_cleaned') }}
    {% if var('business_date', none) is not none -%}
    where business_date <= {{ business_date_literal() }}
    {%- endif %}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by updated_at desc, business_date desc
        ) as version_rank

    from customers

)

select * from ranked where version_rank = 1
