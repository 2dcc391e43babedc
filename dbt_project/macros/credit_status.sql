{#- Status mappings that are standards, not portfolio policy (portfolio policy lives in seeds). -#}

{#- Metro 2 Account Status (field 17A) with Metro 2's own DPD cut points (0-29 / 30-59 / ... / 180+),
    never the internal M1..M7 buckets (metro2.md §1.5-1.6). Precedence: confirmed fraud (DF), transferred
    (05), charged off (97, whatever balance remains after recoveries), closed with zero balance (13),
    then the DPD status (also for closed accounts that still owe a balance). -#}
{% macro metro2_account_status(account_status, days_past_due, current_balance, fraud_flag) -%}
    case
        when coalesce({{ fraud_flag }}, false) then 'DF'
        when {{ account_status }} = 'TRANSFERRED' then '05'
        when {{ account_status }} = 'CHARGED_OFF' then '97'
        when {{ account_status }} = 'CLOSED' and {{ current_balance }} <= 0 then '13'
        when {{ days_past_due }} >= 180 then '84'
        when {{ days_past_due }} >= 150 then '83'
        when {{ days_past_due }} >= 120 then '82'
        when {{ days_past_due }} >= 90 then '80'
        when {{ days_past_due }} >= 60 then '78'
        when {{ days_past_due }} >= 30 then '71'
        else '11'
    end
{%- endmacro %}

{#- IFRS 9 stage: > 30 DPD rebuttable presumption of significant increase in credit risk (stage 2),
    > 90 DPD default (stage 3); charged-off is stage 3. Thresholds are vars. -#}
{% macro ifrs9_stage(account_status, days_past_due) -%}
    case
        when {{ account_status }} = 'CHARGED_OFF' then 3
        when {{ days_past_due }} > {{ var('ifrs9_stage3_dpd_over') }} then 3
        when {{ days_past_due }} > {{ var('ifrs9_stage2_dpd_over') }} then 2
        else 1
    end
{%- endmacro %}
