{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- Metro 2 J1 segments (associated consumer, same address): the joint account holder of each reported
    account, one row per account per period, column names = write_metro2's `j1` inputs. Built with
    rpt_bureau_accounts for the same period (a no-op on other days); personal data as of the period end
    (rpt_bureau_consumers), frozen per period so a re-publication gives the same bytes. Only a joint holder
    whose bureau is METRO2 (int_person_bureau_jurisdiction) is reported: the segment is left out for anyone
    else. -#}

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

us_consumers as (

    select person_id from {{ ref('int_person_bureau_jurisdiction') }}
    where bureau = 'METRO2'

),

consumers as (

    select * from {{ ref('rpt_bureau_consumers') }}

),

final as (

    select
        base.period_end,
        base.account_id,
        base.joint_customer_id,
        cast(coalesce(customer_person.person_id, 'P' || base.joint_customer_id) as varchar) as joint_person_id,
        base.consumer_account_number,
        cast(1 as integer) as ordinal,
        consumers.surname,
        consumers.first_name,
        consumers.social_security_number,
        consumers.date_birth,
        consumers.telephone_number,
        -- joint contractual liability
        cast('2' as varchar) as ecoa_code

    from base

    left join customer_person
        on customer_person.customer_id = base.joint_customer_id

    inner join us_consumers
        on us_consumers.person_id = coalesce(customer_person.person_id, 'P' || base.joint_customer_id)

    left join consumers
        on consumers.person_id = us_consumers.person_id
        and consumers.period_end = base.period_end

)

select * from final
