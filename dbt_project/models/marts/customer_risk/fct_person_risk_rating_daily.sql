{{ config(unique_key='business_date') }}

{#- Each person's risk rating on each business date (docs/domain.md §8): the rules of
    fct_person_risk_conditions give the day's rules-based rating (the highest that fires, low when none);
    macro person_risk_rating_step carries the rating from the previous business date (rise at once, fall
    one step per clean_months_to_step_down clean months). A person is rated on the days one of their
    accounts is delivered; a person not rated on the previous business date starts afresh.

    Cost: a daily run reads the run date's persons and fired rules and the previous business date's rows
    of this table (one per person), not the history; delete+insert on business_date. A run without the
    var carries the rating through every date with a recursive query, one step per date, each step probing
    the person-days of every date: quadratic in the number of dates, fine for months of history; for years
    of a large book, rebuild it date by date with the var instead. -#}


with

ratings as (

    select * from {{ ref('customer_risk_ratings') }}

),

persons as (

    select distinct
        business_date,
        person_id

    from {{ ref('fct_account_daily') }}
    where {{ business_date_filter() }}

),

conditions as (

    select * from {{ ref('fct_person_risk_conditions') }}
    where {{ business_date_filter() }}

),

rule_ratings as (

    select
        business_date,
        person_id,
        max(rating_order) as base_rating_order,
        -- strongest first, then by code, so the list is reproducible
        {{ dbt.listagg('reason_code', "','", 'order by rating_order desc, reason_code') }} as reason_codes

    from conditions

    group by 1, 2

),

days as (

    select
        persons.business_date,
        persons.person_id,
        coalesce(rule_ratings.base_rating_order, 1) as base_rating_order,
        rule_ratings.reason_codes

    from persons

    left join rule_ratings
        on rule_ratings.business_date = persons.business_date
        and rule_ratings.person_id = persons.person_id

),

{%- if changes_only_run() %}

previous as (

    select * from {{ this }}
    where business_date = (
        {{ previous_business_date(ref('fct_account_daily')) }}
    )

),

rated as (

    select
        days.*,
        previous.rating_order as previous_rating_order,
        {{ person_risk_rating_step('days.business_date', 'days.base_rating_order', 'previous.rating_order',
                                   'previous.rating_changed_on', 'previous.clean_since',
                                   'previous_rating.clean_months_to_step_down') }}

    from days

    left join previous
        on previous.person_id = days.person_id

    left join ratings as previous_rating
        on previous_rating.rating_order = previous.rating_order

),

{%- else %}

dates as (

    select
        business_date,
        lag(business_date) over (order by business_date) as previous_business_date

    from (select distinct business_date from days) as distinct_dates

),

person_days as (

    select
        days.*,
        dates.previous_business_date,
        -- rated on the previous business date: carried from it, otherwise rated afresh
        lag(days.business_date) over (
            partition by days.person_id
            order by days.business_date
        ) = dates.previous_business_date as is_carried

    from days

    inner join dates
        on dates.business_date = days.business_date

),

rated as (

    select * from (
        with recursive carried (
            business_date,
            person_id,
            base_rating_order,
            reason_codes,
            previous_rating_order,
            rating_order,
            rating_changed_on,
            clean_since
        ) as (

            select
                business_date,
                person_id,
                base_rating_order,
                reason_codes,
                cast(null as integer) as previous_rating_order,
                {{ person_risk_rating_step('business_date', 'base_rating_order', 'cast(null as integer)',
                                           'cast(null as date)', 'cast(null as date)', 'cast(null as integer)') }}

            from person_days
            where not coalesce(is_carried, false)

            union all

            select
                person_days.business_date,
                person_days.person_id,
                person_days.base_rating_order,
                person_days.reason_codes,
                carried.rating_order as previous_rating_order,
                {{ person_risk_rating_step('person_days.business_date', 'person_days.base_rating_order',
                                           'carried.rating_order', 'carried.rating_changed_on',
                                           'carried.clean_since', 'previous_rating.clean_months_to_step_down') }}

            from person_days

            inner join carried
                on carried.person_id = person_days.person_id
                and carried.business_date = person_days.previous_business_date

            left join ratings as previous_rating
                on previous_rating.rating_order = carried.rating_order

            where person_days.is_carried

        )

        select * from carried
    ) as recursion

),

{%- endif %}

final as (

    select
        cast(rated.business_date as date) as business_date,
        cast(rated.person_id as varchar) as person_id,
        cast(rating.rating as varchar) as rating,
        cast(rated.rating_order as integer) as rating_order,
        cast(previous_rating.rating as varchar) as previous_rating,
        cast(case
            when rated.previous_rating_order is null then 'new'
            when rated.rating_order > rated.previous_rating_order then 'rose'
            when rated.rating_order < rated.previous_rating_order then 'fell'
            else 'unchanged'
        end as varchar) as rating_change,
        cast(rated.rating_changed_on as date) as rating_changed_on,
        cast(base_rating.rating as varchar) as rules_rating,
        cast(rated.reason_codes as varchar) as reason_codes,
        cast(rated.clean_since as date) as clean_since,
        cast({{ dbt.dateadd('month', 'rating.clean_months_to_step_down', 'rated.clean_since') }} as date)
            as step_down_due_on

    from rated

    inner join ratings as rating
        on rating.rating_order = rated.rating_order

    inner join ratings as base_rating
        on base_rating.rating_order = rated.base_rating_order

    left join ratings as previous_rating
        on previous_rating.rating_order = rated.previous_rating_order

)

select * from final
