{#- Every customer version, standardized: names trimmed, whitespace collapsed, full-width folded,
    upper-case romanized names; id numbers and phones normalized and validated (invalid = flagged,
    never dropped). Clear personal data: only restricted models read this.

    Cost: the string cleaning is the expensive part of the customer branch, so each version is cleaned once,
    on the day it arrives (delete+insert on business_date); the as-of views downstream only filter and rank.
    The first build (no table yet) cleans every version loaded so far. -#}
{{ config(materialized='incremental', unique_key='business_date') }}

with

customers as (

    select * from {{ ref('stg_customers') }}
    {%- if is_incremental() %}
    where {{ business_date_filter() }}
    {%- endif %}

),

standardized as (

    select
        business_date,
        customer_id,
        upper({{ clean_text('family_name') }}) as family_name,
        upper({{ clean_text('given_name') }}) as given_name,
        replace({{ clean_text('local_name') }}, ' ', '') as local_name,
        {{ clean_text('id_type') }} as id_type,
        {{ normalize_id_number('id_number') }} as id_number,
        birth_date,
        {{ normalize_phone('mobile_phone') }} as mobile_phone,
        {{ clean_text('address_line1') }} as address_line1,
        {{ clean_text('address_line2') }} as address_line2,
        {{ clean_text('city') }} as city,
        upper({{ clean_text('state_code') }}) as state_code,
        upper({{ clean_text('postal_code') }}) as postal_code,
        updated_at

    from customers

),

validated as (

    select
        *,
        {{ id_number_is_valid('id_type', 'id_number') }} as id_number_is_valid,
        coalesce(
            {{ cn_mobile_is_valid('mobile_phone') }}
            or {{ regex_full_match('mobile_phone', '[2-9][0-9]{2}[2-9][0-9]{6}') }},
            false
        ) as mobile_phone_is_valid

    from standardized

)

select
    *,
    -- the merge key of a person: only a valid identity number is trusted to join customer ids
    case when id_number_is_valid then id_type || ':' || id_number end as identity_key

from validated
