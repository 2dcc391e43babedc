{#- Negative information (不良信息): what a bureau record says that harms the consumer, by bureau - the one home
    of the notice rule (rpt_bureau_negative_notices: 征信业管理条例 §15, a consumer is told before negative
    information about them is first reported). Metro 2: past due 30+ days or charged off (paid or not);
    PBOC: 当前还款状态 overdue 1-7 or B 呆账. -#}
{% macro is_negative_metro2(account_status) -%}
    ({{ account_status }} in {{ metro2_statuses('past_due') }}
        or {{ account_status }} in {{ metro2_statuses('charged_off') }})
{%- endmacro %}

{% macro is_negative_pboc(rpy_status) -%}
    ({{ rpy_status }} in ('1', '2', '3', '4', '5', '6', '7', 'B'))
{%- endmacro %}
