{#- The columns of a cleaned customer version (int_customers_cleaned), as int_customers_current stores them
    and the snapshot receives them (without the runs' refreshed_on stamp). -#}
{% macro customer_version_columns() -%}
    {{ return([
        'business_date', 'customer_id', 'family_name', 'given_name', 'local_name', 'id_type', 'id_number',
        'birth_date', 'mobile_phone', 'address_line1', 'address_line2', 'city', 'state_code', 'postal_code',
        'updated_at', 'id_number_is_valid', 'mobile_phone_is_valid', 'identity_key',
    ]) }}
{%- endmacro %}
