{#- Survivorship helper for a grouped select: `column` of the row ranked first under `<rank_name>_rank`. -#}
{% macro survivor_value(column, rank_name) -%}
    max(case when {{ rank_name }}_rank = 1 then {{ column }} end)
{%- endmacro %}
