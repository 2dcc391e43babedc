{#- `relation` (a source written by Python, created on first use) or, while it does not exist yet, an empty
    relation with `columns` [(name, type), ...], so a model reading it builds before that. A unit test
    always reads its fixture. -#}
{%- macro relation_or_empty(relation, columns) -%}
    {%- if execute and model.resource_type != 'unit_test' and load_relation(relation) is none -%}
        (select
            {%- for name, type in columns %}
                cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
        where 1 = 0)
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro -%}
