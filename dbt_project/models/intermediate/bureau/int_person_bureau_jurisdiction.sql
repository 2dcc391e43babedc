{#- Which credit bureau a person is reported to: METRO2 (US consumers), PBOC (consumers identified by a
    Chinese resident identity number) or none (null, with the reason), one row per person of
    int_customer_person. The bureau models report only the persons routed to them.

    The identity is the person's merge key (int_customers_cleaned.identity_key: id_type:id_number of a valid
    number, equal on every record of a person). The address is the person's reported one, chosen as
    dim_customer_pii chooses its address block (the most recently updated record with an address; ties: the
    larger customer_id) - tests/reporting/test_bureau_simulated_book.py holds the two to each other. A US
    address is a US state / territory code with a 5- or 9-digit ZIP code: Chinese province codes SC and SD
    are also US states, but a Chinese postcode has 6 digits. -#}

with

customer_person as (

    select
        customer_id,
        person_id

    from {{ ref('int_customer_person') }}

),

customers as (

    select
        customer_id,
        identity_key,
        state_code,
        postal_code,
        updated_at,
        address_line1 is not null or city is not null as has_address

    from {{ ref('int_customers_current') }}

),

ranked as (

    select
        customer_person.person_id,
        customers.identity_key,
        customers.state_code,
        customers.postal_code,
        row_number() over (
            partition by customer_person.person_id
            order by case when customers.has_address then 0 else 1 end,
                customers.updated_at desc, customers.customer_id desc
        ) as address_rank

    from customer_person

    inner join customers
        on customers.customer_id = customer_person.customer_id

),

persons as (

    select
        person_id,
        max(identity_key) as identity_key,
        max(case when address_rank = 1 then state_code end) as state_code,
        max(case when address_rank = 1 then postal_code end) as postal_code

    from ranked

    group by person_id

),

classified as (

    select
        person_id,
        split_part(identity_key, ':', 1) as identity_type,
        coalesce(
            -- the 50 states, DC and the territories
            state_code in (
                'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA',
                'KS', 'KY', 'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM',
                'NY', 'NC', 'ND', 'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA',
                'WV', 'WI', 'WY', 'AS', 'GU', 'MP', 'PR', 'VI'
            )
            and {{ regex_full_match("replace(postal_code, '-', '')", '[0-9]{5}([0-9]{4})?') }},
            false
        ) as has_us_address

    from persons

),

final as (

    select
        person_id,
        cast(case
            when identity_type = 'SSN' and has_us_address then 'METRO2'
            when identity_type = 'CN_RESIDENT_ID' then 'PBOC'
        end as varchar) as bureau,
        cast(case
            when identity_type = 'SSN' and has_us_address then 'US_SSN_AND_ADDRESS'
            when identity_type = 'CN_RESIDENT_ID' then 'CN_RESIDENT_ID'
            when identity_type = 'SSN' then 'SSN_WITHOUT_US_ADDRESS'
            when identity_type is not null then 'NO_BUREAU_FOR_' || identity_type
            else 'NO_VALID_ID_NUMBER'
        end as varchar) as reason

    from classified

)

select * from final
