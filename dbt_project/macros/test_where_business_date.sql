{#- Data tests on day-partitioned tables check only the run's business date, so a daily run's test cost
    grows with the day, not the history. Generic-test configs cannot call project macros, so a test says
    `where: "business_date = __run_business_date__"` and this override of dbt's where-subquery fills the
    date in (or drops the filter when the run has no business_date var: then everything is tested). -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__run_business_date__' in where -%}
        {%- if var('business_date', none) is none -%}
            {%- set where = '' -%}
        {%- else -%}
            {%- set where = where | replace('__run_business_date__', business_date_literal()) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
