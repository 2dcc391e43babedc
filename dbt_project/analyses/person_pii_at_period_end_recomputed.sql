{#- Test oracle, never built: rpt_person_pii_at_period_end recomputed in full, as that model was before it
    copied dim_customer_pii - the survivorship (macro person_survivors) of every bureau person over the
    versions of its customer ids at the period end (macro customer_versions_at_period_end, which the model
    uses too: what this checks is the copy). tests/dags/test_history_load.py
    compiles it for the month end and asserts the model's rows equal it, on books whose persons changed
    after the period end. As costly as a survivorship of every bureau person: not for the nightly build. -#}

{%- set period = bureau_period() -%}
{%- set period_end_sql = "cast('" ~ period.end ~ "' as date)" if period.is_end else 'cast(null as date)' %}

with

bureau_persons as (

    select person_id from {{ ref('int_person_bureau_jurisdiction') }}
    {%- if period.is_end %}
    where bureau is not null
    {%- else %}
    where 1 = 0
    {%- endif %}

),

customer_person as (

    select
        customer_id,
        person_id,
        has_identity_conflict

    from {{ ref('int_customer_person') }}
    where person_id in (select bureau_persons.person_id from bureau_persons)

),

-- each customer's version at the period end (macro customer_versions_at_period_end)
versions as (

    {{ customer_versions_at_period_end('select customer_person.customer_id from customer_person') | indent(4) }}

),

with_person as (

    select
        customer_person.person_id,
        customer_person.has_identity_conflict,
        versions.*

    from versions

    inner join customer_person
        on customer_person.customer_id = versions.customer_id

),

survivors as (

    {{ person_survivors('with_person') | indent(4) }}

),

final as (

    select
        {{ period_end_sql }} as period_end,
        person_id,
        family_name,
        given_name,
        full_name,
        local_name,
        id_type,
        id_number,
        id_number_is_valid,
        birth_date,
        mobile_phone,
        mobile_phone_is_valid,
        address_line1,
        address_line2,
        city,
        state_code,
        postal_code,
        has_identity_conflict

    from survivors

)

select * from final
