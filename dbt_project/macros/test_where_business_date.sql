{#- Reading a failing data test? It may have checked only some rows. This replaces dbt's
    get_where_subquery, which every generic test (not_null, unique, accepted_values, ...) uses to read
    the tested relation, so the compiled test (target/compiled/.../<test>.sql) reads

        (select * from <relation> where <conditions>) dbt_subquery

    with <conditions> joined by `and`:
    1. `<unique_key> = <run date>` when the run has a business_date var and the tested model is
       incremental on a run date (its unique_key is in var run_partition_keys: business_date,
       evaluated_on, to_month_end, period_end): the test sees only the partition the run wrote, so a
       daily run's test cost grows with the day, not the history. Rows of other dates are not checked:
       rerun the test without the var (`dbt test --select <model>`) to check the whole table.
    2. the test's own `where` config, if any; in it `__run_business_date__` stands for the run's date
       (the raw sources' tests use it), and a condition using it is dropped when there is no var.
    Everything else (views, seeds, snapshots, tables keyed on customer or person, runs without the var) is
    tested whole. One rule here instead of a `where` on every model test, so a new incremental model's
    tests cannot forget it. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and '__run_business_date__' in where -%}
        {%- set where = '' if var('business_date', none) is none
            else where | replace('__run_business_date__', business_date_literal()) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set partition_key = tested_partition_key() -%}
    {%- if partition_key and var('business_date', none) is not none -%}
        {%- do conditions.append(partition_key ~ ' = ' ~ business_date_literal()) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The partition column of the model a generic test is attached to: its unique_key when it is an
    incremental model keyed on a run date; none otherwise (tables, views, seeds, snapshots, and the
    current-state tables keyed on customer or person, whose tests check the whole table). -#}
{% macro tested_partition_key() -%}
    {%- set attached = model.get('attached_node') if model is mapping else none -%}
    {%- if not attached or not execute or attached not in graph.nodes -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- set tested = graph.nodes[attached].config -%}
    {%- if tested.materialized == 'incremental' and tested.unique_key in var('run_partition_keys') -%}
        {%- do return(tested.unique_key) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}
