{{ config(unique_key='person_id') }}

{#- SCD2 history of each person's risk rating: one version per day the rating changed
    (fct_person_risk_rating_daily.rating_changed_on = business_date, the first rated day included), valid
    from that date until the next version's (valid_to, exclusive; null while current).

    Cost: a daily run reads the run date's rating rows and the versions of the persons whose rating changed
    that day, or who have a version from that date on (a re-run or restated date); it rewrites those persons'
    versions (delete+insert on person_id): the versions before the date are kept, the date's change added,
    versions from the date on dropped (later dates re-add theirs when they are re-run in order,
    docs/operations.md "Restate a day"). A run without the var rebuilds every version. -#}

{%- set changes_only = changes_only_run() %}

with

changes as (

    select
        person_id,
        business_date as valid_from,
        rating,
        rating_order,
        reason_codes

    from {{ ref('fct_person_risk_rating_daily') }}
    where {{ business_date_filter() }}
        and rating_changed_on = business_date

),

{%- if changes_only %}

touched as (

    select person_id from changes

    union

    select person_id from {{ this }}
    where valid_from >= {{ business_date_literal() }}

),

versions as (

    select
        person_id,
        valid_from,
        rating,
        rating_order,
        reason_codes

    from {{ this }}
    where person_id in (select person_id from touched)
        and valid_from < {{ business_date_literal() }}

    union all

    select * from changes

),

{%- else %}

versions as (

    select * from changes

),

{%- endif %}

final as (

    select
        cast(person_id as varchar) as person_id,
        cast(rating as varchar) as rating,
        cast(rating_order as integer) as rating_order,
        cast(reason_codes as varchar) as reason_codes,
        cast(valid_from as date) as valid_from,
        cast(lead(valid_from) over (partition by person_id order by valid_from) as date) as valid_to,
        cast(lead(valid_from) over (partition by person_id order by valid_from) is null as boolean) as is_current

    from versions

)

select * from final
