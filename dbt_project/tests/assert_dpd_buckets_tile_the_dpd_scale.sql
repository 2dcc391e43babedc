{#- Every DPD 0..1000 falls in exactly one DPD-scale bucket of seed dpd_buckets (no gap, no overlap);
    same for five_tier_classes. Returns the offending DPD values. -#}
with

dpd_values as (

    select generate_series as days_past_due from generate_series(0, 1000)

),

{% for seed in ['dpd_buckets', 'five_tier_classes'] %}
{{ seed }}_scale as (

    select
        cast(nullif(trim(min_dpd), '') as integer) as min_dpd,
        cast(nullif(trim(max_dpd), '') as integer) as max_dpd

    from {{ ref(seed) }}
    where nullif(trim(account_status), '') is null

),

{{ seed }}_hits as (

    select
        '{{ seed }}' as seed_name,
        dpd_values.days_past_due,
        count({{ seed }}_scale.min_dpd) as matching_rows

    from dpd_values

    left join {{ seed }}_scale
        on dpd_values.days_past_due >= {{ seed }}_scale.min_dpd
        and ({{ seed }}_scale.max_dpd is null or dpd_values.days_past_due <= {{ seed }}_scale.max_dpd)

    group by dpd_values.days_past_due

),
{% endfor %}

offending as (

    select * from dpd_buckets_hits where matching_rows <> 1
    union all
    select * from five_tier_classes_hits where matching_rows <> 1

)

select * from offending
