{{ config(materialized='view', tags=['month_end_only']) }}

{#- What a Metro 2 file may say about a consumer, per person per bureau period: the consumer fields of the
    Base Segment (rpt_bureau_accounts, the primary holder) and of the J1 segment (rpt_bureau_j1, the joint
    holder), from the person's data as of the period end (rpt_person_pii_at_period_end), so a period built
    after later dates were loaded (the history load) reports the name and address of its own period end.
    One home for these rules, which both reports read; a view in the restricted schema (clear personal
    data). The reports copy the values into their period rows, so a re-publication of a period gives the
    same bytes. -#}
with

persons as (

    select * from {{ ref('rpt_person_pii_at_period_end') }}

),

final as (

    select
        period_end,
        person_id,
        family_name as surname,
        given_name as first_name,
        -- only a valid SSN is reported (the writer zero-fills an empty one)
        cast(case when id_type = 'SSN' and id_number_is_valid then id_number end as varchar)
            as social_security_number,
        birth_date as date_birth,
        -- only a valid 10-digit (NANP) number fits the field
        cast(case when mobile_phone_is_valid and length(mobile_phone) = 10 then mobile_phone end as varchar)
            as telephone_number,
        address_line1 as first_line_address,
        address_line2 as second_line_address,
        city,
        state_code as state,
        postal_code as zip_code

    from persons

)

select * from final
