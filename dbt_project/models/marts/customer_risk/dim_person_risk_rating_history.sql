{{ config(unique_key='person_id') }}

{#- SCD2 history of each person's risk rating: one version per day the rating changed
    (fct_person_risk_rating_daily.rating_changed_on = business_date, the first rated day included), valid
    from that date until the next version's or until the person leaves the book (valid_to, exclusive: the
    first business date the person is not rated; null while current). A person who comes back is rated
    afresh, so a new version starts on the day of return; between the two the person has no version.

    Cost: a daily run reads the run date's rating rows and the persons' versions still open on that date
    (the current ones, to find who left); it rewrites the versions of the persons whose rating changed
    that day, who left that day, or who have a version from that date on or one closed on or after it (a
    re-run or restated date): delete+insert on person_id. Their versions before the date are kept, with
    the end stored when it falls before the date; versions from the date on are dropped (later dates re-add
    theirs when they are re-run in order, docs/operations.md "Restate a day"). A run without the var
    rebuilds every version. -#}

{%- set changes_only = changes_only_run() %}

with

rated as (

    select
        person_id,
        business_date,
        rating,
        rating_order,
        reason_codes,
        rating_changed_on

    from {{ ref('fct_person_risk_rating_daily') }}
    where {{ business_date_filter() }}

),

changes as (

    select
        person_id,
        business_date as valid_from,
        rating,
        rating_order,
        reason_codes,
        cast(null as date) as closed_on

    from rated
    where rating_changed_on = business_date

),

{%- if changes_only %}

-- versions stored as open on the run date (current, or closed on / after it by an earlier run of a date
-- since restated)
open_on_date as (

    select person_id from {{ this }}
    where valid_from < {{ business_date_literal() }}
        and (valid_to is null or valid_to >= {{ business_date_literal() }})

),

exits as (

    select
        person_id,
        {{ business_date_literal() }} as exit_on

    from open_on_date
    where person_id not in (select person_id from rated)

),

touched as (

    select person_id from changes

    union

    select person_id from exits

    union

    select person_id from {{ this }}
    where valid_from >= {{ business_date_literal() }}
        or valid_to >= {{ business_date_literal() }}

),

versions as (

    select
        person_id,
        valid_from,
        rating,
        rating_order,
        reason_codes,
        -- an end before the run date stands (the person left then); a later one is worked out again
        case when valid_to < {{ business_date_literal() }} then valid_to end as closed_on

    from {{ this }}
    where person_id in (select person_id from touched)
        and valid_from < {{ business_date_literal() }}

    union all

    select * from changes

),

{%- else %}

dates as (

    select
        business_date,
        lead(business_date) over (order by business_date) as next_business_date

    from (select distinct business_date from rated) as distinct_dates

),

-- the first business date a person is not rated after a day they were
exits as (

    select
        person_days.person_id,
        dates.next_business_date as exit_on

    from (
        select
            person_id,
            business_date,
            lead(business_date) over (partition by person_id order by business_date) as next_rated_on

        from rated
    ) as person_days

    inner join dates
        on dates.business_date = person_days.business_date

    where dates.next_business_date is not null
        and person_days.next_rated_on is distinct from dates.next_business_date

),

versions as (

    select * from changes

),

{%- endif %}

-- a version ends at the person's next version or exit, whichever comes first (exits are never followed by
-- another exit: a person who comes back is rated afresh, which starts a version)
bounded as (

    select
        *,
        coalesce(
            closed_on,
            lead(valid_from) over (partition by person_id order by valid_from)
        ) as valid_to

    from (
        select
            *,
            false as is_exit

        from versions

        union all

        select
            person_id,
            exit_on as valid_from,
            null as rating,
            null as rating_order,
            null as reason_codes,
            cast(null as date) as closed_on,
            true as is_exit

        from exits
    ) as versions_and_exits

),

final as (

    select
        cast(person_id as varchar) as person_id,
        cast(rating as varchar) as rating,
        cast(rating_order as integer) as rating_order,
        cast(reason_codes as varchar) as reason_codes,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(valid_to is null as boolean) as is_current

    from bounded
    where not is_exit

)

select * from final
