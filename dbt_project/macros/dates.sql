{#- Portable (DuckDB + PostgreSQL) date helpers returning DATE, not TIMESTAMP. -#}

{% macro month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- Calendar months between two dates, counting month boundaries (months on book, vintage age). -#}
{% macro months_between(start_date, end_date) -%}
    (
        (extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
        + extract(month from {{ end_date }}) - extract(month from {{ start_date }})
    )
{%- endmacro %}

{% macro is_month_end(date_expr) -%}
    (extract(month from {{ dbt.dateadd('day', 1, date_expr) }}) <> extract(month from {{ date_expr }}))
{%- endmacro %}

{#- The date `months` calendar months before date_expr; month-ends map to month-ends (2026-04-30 -> 2026-03-31). -#}
{% macro months_before(date_expr, months) -%}
    case
        when {{ is_month_end(date_expr) }}
            then cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1 - months, dbt.date_trunc('month', date_expr))) }} as date)
        else cast({{ dbt.dateadd('month', -months, date_expr) }} as date)
    end
{%- endmacro %}

{#- Money is DECIMAL(18,2) everywhere (contract.py); `numeric(18, 2)` means the same on DuckDB and PostgreSQL. -#}
{% macro money(expr) -%}
    cast({{ expr }} as numeric(18, 2))
{%- endmacro %}
