{#- Survivorship across a person's customer ids (the one home of the rules; dim_customer_pii.yml describes
    them): per attribute group, the most recently updated record holding a valid value wins (ties: the
    larger customer_id); when no record holds a valid value, the most recent non-null one is kept and stays
    flagged invalid. Groups that must not be mixed across records (romanized name parts; address lines +
    city + state + postal code) are taken together from one record.

    `customers`: a relation or CTE of customer versions (the columns of customer_version_columns()) with
    the person_id and has_identity_conflict of int_customer_person; one version per customer id. Returns a
    select of one row per person. dim_customer_pii applies it to the current versions, and
    rpt_person_pii_at_period_end to the versions valid at a bureau period end (snap_customers) of the
    persons whose customers changed since. -#}
{% macro person_survivors(customers) -%}
{%- set survivors = {
    'record': 'true',
    'roman_name': 'has_roman_name',
    'local_name': 'local_name is not null',
    'id': 'id_number_is_valid',
    'id_present': 'id_number is not null',
    'birth': 'birth_date is not null',
    'mobile': 'mobile_phone_is_valid',
    'mobile_present': 'mobile_phone is not null',
    'address': 'has_address',
} -%}
select
    person_id,
    cast(source_customer_count as integer) as source_customer_count,
    survivor_customer_id,
    family_name,
    given_name,
    nullif(trim(coalesce(family_name, '') || ' ' || coalesce(given_name, '')), '') as full_name,
    local_name,
    case when id_number_is_valid then valid_id_type else fallback_id_type end as id_type,
    case when id_number_is_valid then valid_id_number else fallback_id_number end as id_number,
    id_number_is_valid,
    birth_date,
    case when mobile_phone_is_valid then valid_mobile_phone else fallback_mobile_phone end as mobile_phone,
    mobile_phone_is_valid,
    address_line1,
    address_line2,
    city,
    state_code,
    postal_code,
    updated_at,
    identity_key,
    has_identity_conflict

from (

    select
        person_id,
        count(*) as source_customer_count,
        {{ survivor_value('customer_id', 'record') }} as survivor_customer_id,
        {{ survivor_value('family_name', 'roman_name') }} as family_name,
        {{ survivor_value('given_name', 'roman_name') }} as given_name,
        {{ survivor_value('local_name', 'local_name') }} as local_name,
        -- identity: a valid number if any record has one (all valid numbers of a person are equal)
        {{ survivor_value('id_type', 'id_present') }} as fallback_id_type,
        {{ survivor_value('id_number', 'id_present') }} as fallback_id_number,
        {{ survivor_value('id_type', 'id') }} as valid_id_type,
        {{ survivor_value('id_number', 'id') }} as valid_id_number,
        max(case when id_number_is_valid then 1 else 0 end) = 1 as id_number_is_valid,
        -- the merge key built once in int_customers_cleaned (equal on every valid record of a person)
        max(identity_key) as identity_key,
        -- the number is shared with another person (int_customer_person): it identifies none of them
        max(case when has_identity_conflict then 1 else 0 end) = 1 as has_identity_conflict,
        {{ survivor_value('birth_date', 'birth') }} as birth_date,
        {{ survivor_value('mobile_phone', 'mobile') }} as valid_mobile_phone,
        {{ survivor_value('mobile_phone', 'mobile_present') }} as fallback_mobile_phone,
        max(case when mobile_phone_is_valid then 1 else 0 end) = 1 as mobile_phone_is_valid,
        {{ survivor_value('address_line1', 'address') }} as address_line1,
        {{ survivor_value('address_line2', 'address') }} as address_line2,
        {{ survivor_value('city', 'address') }} as city,
        {{ survivor_value('state_code', 'address') }} as state_code,
        {{ survivor_value('postal_code', 'address') }} as postal_code,
        max(updated_at) as updated_at

    from (

        select
            *,
            {%- for name, condition in survivors.items() %}
            row_number() over (
                partition by person_id
                order by case when {{ condition }} then 0 else 1 end, updated_at desc, customer_id desc
            ) as {{ name }}_rank{{ ',' if not loop.last }}
            {%- endfor %}

        from (

            select
                *,
                family_name is not null or given_name is not null as has_roman_name,
                address_line1 is not null or city is not null as has_address

            from {{ customers }}

        ) as flagged

    ) as ranked

    group by person_id

) as survived
{%- endmacro %}
