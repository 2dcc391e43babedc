{{ config(unique_key='period_end', tags=['month_end_only']) }}

{#- The personal data of each person a bureau reports, as of a bureau period end: the survivorship of
    dim_customer_pii (macro person_survivors) over the versions of the person's customer ids valid at the
    period end (snapshot snap_customers), one row per person per period. The bureau records (Metro 2 through
    rpt_bureau_consumers, the PBOC records) copy their consumer fields from here, so a period's record says
    what was true at its end however the period is built: by its own month-end run, or after later dates
    were loaded (the history load builds every bureau period after the whole range; a re-run of a period).

    A person none of whose customer ids has a version that changed after the period end (see
    changed_customers) has its current versions as its period-end versions: its row is dim_customer_pii's,
    copied. Only the persons of the customers that changed since (none on the month end's own run, but for
    a change delivered by its drop with a later change time) re-run the survivorship, over the snapshot
    versions valid at the period end. Both sides read the same current person mapping (int_customer_person),
    which dim_customer_pii is built from in the same run.

    Cost: built only when the run's business_date is a period end (any other day is a no-op, decided at
    compile time); a copy of dim_customer_pii for the persons routed to a bureau (int_person_bureau_
    jurisdiction), plus a filter of the snapshot's validity columns and the survivorship of the changed
    persons. A build without the var (full refresh) leaves the table empty, as the bureau models do. -#}

{%- set period = bureau_period() -%}
{#- a version is valid at the end of the period end day when it began before the next day and ended, if at
    all, on or after it ([dbt_valid_from, dbt_valid_to): the platform's updated_at) -#}
{%- set period_end_sql = "cast('" ~ period.end ~ "' as date)" if period.is_end else 'cast(null as date)' -%}
{%- set day_after_sql = "cast('" ~ (period.end + modules.datetime.timedelta(days=1)) ~ "' as timestamp)"
    if period.is_end else 'null' %}
{%- set pii_columns = [
    'family_name', 'given_name', 'full_name', 'local_name', 'id_type', 'id_number', 'id_number_is_valid',
    'birth_date', 'mobile_phone', 'mobile_phone_is_valid', 'address_line1', 'address_line2', 'city',
    'state_code', 'postal_code', 'has_identity_conflict',
] %}

with

bureau_persons as (

    select person_id from {{ ref('int_person_bureau_jurisdiction') }}
    {%- if period.is_end %}
    where bureau is not null
    {%- else %}
    where 1 = 0
    {%- endif %}

),

-- the customers whose version at the period end (customer_versions_at_period_end) may not be their current one:
-- a version that ended after the period end day (superseded by a later change: the period end keeps the
-- older one), or one that began after it and came in a later drop than the period end's (a change after
-- the period end, or a customer first delivered after it, which the period end does not know). Any other
-- customer's period-end version is its current one: its earlier versions ended by the end of the day, and
-- its current one began by then or came in a drop up to the period end.
changed_customers as (

    select distinct customer_id
    from {{ ref('snap_customers') }}
    {%- if period.is_end %}
    where dbt_valid_to >= {{ day_after_sql }}
        or (dbt_valid_from >= {{ day_after_sql }} and business_date > {{ period_end_sql }})
    {%- else %}
    where 1 = 0
    {%- endif %}

),

changed_persons as (

    select distinct person_id
    from {{ ref('int_customer_person') }}
    where customer_id in (select changed_customers.customer_id from changed_customers)
        and person_id in (select bureau_persons.person_id from bureau_persons)

),

customer_person as (

    select
        customer_id,
        person_id,
        has_identity_conflict

    from {{ ref('int_customer_person') }}
    where person_id in (select changed_persons.person_id from changed_persons)

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

-- every other bureau person: its row of the person dimension
copied as (

    select
        dim_customer_pii.person_id,
        {{ pii_columns | join(',\n        ') }}

    from {{ ref('dim_customer_pii') }} as dim_customer_pii

    inner join bureau_persons
        on bureau_persons.person_id = dim_customer_pii.person_id

    left join changed_persons
        on changed_persons.person_id = dim_customer_pii.person_id

    where changed_persons.person_id is null

),

persons as (

    select
        person_id,
        {{ pii_columns | join(',\n        ') }}

    from survivors

    union all

    select * from copied

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

    from persons

)

select * from final
