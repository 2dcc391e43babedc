{#- Schemas are exactly staging / intermediate / marts / restricted (no target prefix): the extracts,
    the BI tool and the other pipelines address them by these names. Models without a custom schema
    fall back to the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
