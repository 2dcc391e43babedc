{#- Post-hook of the incremental person dimensions (dim_customer_pii, dim_customer): delete the persons no
    customer maps to any more (a customer's id number changed, so its group split or merged). A daily
    run checks only the persons its customers left (int_customer_person.previous_person_id of the rows
    it refreshed); a run without the var checks every person. -#}
{% macro delete_vanished_persons() -%}
    {%- set person_map = ref('int_customer_person') -%}
    {%- if var('business_date', none) is none -%}
    delete from {{ this }}
    where person_id not in (select person_id from {{ person_map }})
    {%- else -%}
    {%- set left_persons -%}
        select previous_person_id from {{ person_map }}
        where {{ business_date_filter('refreshed_on') }}
            and previous_person_id <> person_id
    {%- endset -%}
    delete from {{ this }}
    where person_id in ({{ left_persons }})
        and person_id not in (
            select person_id from {{ person_map }}
            where person_id in ({{ left_persons }})
        )
    {%- endif -%}
{%- endmacro %}
