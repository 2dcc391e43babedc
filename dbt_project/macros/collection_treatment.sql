{#- Whether a row of seed collection_treatment_strategy applies to an account: its bucket, its tier (a blank
    tier matches any) and days to due within the row's range (blank bounds open; an account without a due
    date matches only a range open at the top). One definition, read by the lists and by the data test that
    checks the rows tile the space. -#}
{% macro collection_treatment_strategy_matches(strategy, bucket_code, tier, days_to_due) -%}
    {{ strategy }}.bucket_code = {{ bucket_code }}
    and ({{ strategy }}.tier is null or {{ strategy }}.tier = {{ tier }})
    and (
        ({{ days_to_due }} is null and {{ strategy }}.max_days_to_due is null)
        or (
            {{ days_to_due }} >= coalesce({{ strategy }}.min_days_to_due, {{ days_to_due }})
            and {{ days_to_due }} <= coalesce({{ strategy }}.max_days_to_due, {{ days_to_due }})
        )
    )
{%- endmacro %}
