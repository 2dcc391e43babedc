{#- The amount columns of the fee income marts (daily and monthly), in their order: one list for both. -#}
{% macro fee_income_amount_columns() -%}
    {{ return(['interest_amount', 'penalty_interest_amount', 'late_fee_amount', 'annual_fee_amount',
               'instalment_fee_amount', 'cash_advance_fee_amount', 'gross_income_amount', 'waived_amount',
               'reversed_amount', 'net_income_amount', 'settlement_write_off_amount']) }}
{%- endmacro %}
