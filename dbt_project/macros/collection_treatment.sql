{#- Whether a row of seed collection_treatment_strategy applies to an account: its bucket, its tier (a blank
    tier matches any), days to due within the row's range (blank bounds open; an account without a due date
    matches only a range open at the top) and its current holder's type (a blank held_by matches any holder,
    none included). One definition, read by the lists and by the data test that checks the rows tile the
    space. -#}
{% macro collection_treatment_strategy_matches(strategy, bucket_code, tier, days_to_due, holder_type) -%}
    {{ strategy }}.bucket_code = {{ bucket_code }}
    and ({{ strategy }}.tier is null or {{ strategy }}.tier = {{ tier }})
    and (
        ({{ days_to_due }} is null and {{ strategy }}.max_days_to_due is null)
        or (
            {{ days_to_due }} >= coalesce({{ strategy }}.min_days_to_due, {{ days_to_due }})
            and {{ days_to_due }} <= coalesce({{ strategy }}.max_days_to_due, {{ days_to_due }})
        )
    )
    and ({{ strategy }}.held_by is null or {{ strategy }}.held_by = {{ holder_type }})
{%- endmacro %}

{#- Precedence among the rows that match one account (partition_by: its key): a row for the account's
    holder type (held_by set) wins over a row for any holder (held_by blank) - e.g. a charged-off account
    held by Legal stays with Legal instead of going to the recovery agency. The rows ranked 1 win; rank, not
    row_number, so two rows tied at the top both stay and the tiling test sees them. One definition, read by
    the lists and the tiling test. -#}
{% macro collection_treatment_strategy_rank(strategy, partition_by) -%}
    rank() over (
        partition by {{ partition_by }}
        order by case when {{ strategy }}.held_by is null then 1 else 0 end
    )
{%- endmacro %}
