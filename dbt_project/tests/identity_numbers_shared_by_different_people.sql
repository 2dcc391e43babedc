{#- Identity conflicts: one row per id number held by customer records of different names or birth dates.
    int_customer_person keeps those persons apart and flags them, and the blacklist keys them by person,
    so the night goes on (severity warn); the count in the build's log is the list to resolve with the
    card platform. No clear id number in the result: the first customer id and the counts. -#}
{{ config(severity='warn') }}

select
    min(customer_id) as first_customer_id,
    count(*) as customers,
    count(distinct person_id) as persons

from {{ ref('int_customer_person') }}

where has_identity_conflict

group by identity_key
