{#- How an account moved between two bucket states: the one rule for the daily transitions and the monthly
    roll-rate matrix. `to_min_dpd` is null for a state off the DPD scale (charged off, closed, transferred,
    missing); orders come from seed dpd_buckets. -#}
{% macro transition_type(from_bucket, to_bucket, to_min_dpd, from_order, to_order) -%}
    case
        when {{ from_bucket }} = 'NEW' then 'new'
        when {{ from_bucket }} = {{ to_bucket }} then 'stay'
        when {{ to_min_dpd }} is null then 'absorbed'
        when {{ to_order }} < {{ from_order }} then 'cure'
        else 'roll_forward'
    end
{%- endmacro %}
