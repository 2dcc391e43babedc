{#- The columns of a cleaned customer version (int_customers_cleaned), as int_customers_current stores them
    and the snapshot receives them (without the runs' refreshed_on stamp). -#}
{% macro customer_version_columns() -%}
    {{ return([
        'business_date', 'customer_id', 'family_name', 'given_name', 'local_name', 'id_type', 'id_number',
        'birth_date', 'mobile_phone', 'address_line1', 'address_line2', 'city', 'state_code', 'postal_code',
        'updated_at', 'id_number_is_valid', 'mobile_phone_is_valid', 'identity_key',
    ]) }}
{%- endmacro %}

{#- Each customer's version at a bureau period end (the one home of the rule), for the customers `customer_ids`
    (a select of customer_id): the version valid at the end of the period end day ([dbt_valid_from,
    dbt_valid_to): the platform's updated_at), or, for a customer whose first version was delivered by the
    period end's drop with a later change time, that version (the earliest of those not ended by then); a
    customer first delivered after the period end has none. Returns a select of customer_version_columns();
    no rows on a day that is not a period end. -#}
{% macro customer_versions_at_period_end(customer_ids) -%}
{%- set period = bureau_period() -%}
{%- set day_after_sql = "cast('" ~ (period.end + modules.datetime.timedelta(days=1)) ~ "' as timestamp)"
    if period.is_end else 'null' -%}
select {{ customer_version_columns() | join(', ') }}
from {{ ref('snap_customers') }}
{%- if period.is_end %}
where (dbt_valid_to is null or dbt_valid_to >= {{ day_after_sql }})
    and (dbt_valid_from < {{ day_after_sql }} or business_date <= cast('{{ period.end }}' as date))
    and customer_id in ({{ customer_ids }})
qualify row_number() over (partition by customer_id order by dbt_valid_from) = 1
{%- else %}
where 1 = 0
{%- endif %}
{%- endmacro %}
