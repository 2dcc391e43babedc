{{ config(unique_key='period_end') }}

{#- Metro 2 J1 segments (associated consumer, same address): the joint account holder of each reported
    account, one row per account per period, column names = write_metro2's `j1` inputs. Built with
    rpt_bureau_accounts for the same period (a no-op on other days); personal data frozen per period so a
    re-publication gives the same bytes. -#}

with

base as (

    select * from {{ ref('rpt_bureau_accounts') }}
    where joint_customer_id is not null
    {%- if var('business_date', none) is none %}
    and 1 = 0
    {%- else %}
    and {{ business_date_filter('period_end') }}
    {%- endif %}

),

customer_person as (

    select * from {{ ref('int_customer_person') }}

),

persons as (

    select * from {{ ref('dim_customer_pii') }}

),

final as (

    select
        base.period_end,
        base.account_id,
        base.joint_customer_id,
        coalesce(customer_person.person_id, 'P' || base.joint_customer_id) as joint_person_id,
        base.consumer_account_number,
        cast(1 as integer) as ordinal,
        persons.family_name as surname,
        persons.given_name as first_name,
        cast(case when persons.id_type = 'SSN' and persons.id_number_is_valid then persons.id_number end
             as varchar) as social_security_number,
        persons.birth_date as date_birth,
        cast(case
            when persons.mobile_phone_is_valid and length(persons.mobile_phone) = 10 then persons.mobile_phone
        end as varchar) as telephone_number,
        -- joint contractual liability
        cast('2' as varchar) as ecoa_code

    from base

    left join customer_person
        on customer_person.customer_id = base.joint_customer_id

    left join persons
        on persons.person_id = coalesce(customer_person.person_id, 'P' || base.joint_customer_id)

)

select * from final
