{#- Status mappings that are standards, not portfolio policy (portfolio policy lives in seeds). -#}

{#- Metro 2: the one home of how an account-day maps to the format's codes (docs/metro2.md §1.5-1.6). The
    fact (int_accounts_classified) and the bureau report (rpt_bureau_accounts) both call these macros, and
    tests/reporting/test_metro2_status_home.py holds the validator's code tables
    (creditwh/reporting/metro2/spec.py) to them. -#}

{#- Metro 2's own DPD cut points (0-29 / 30-59 / ... / 180+), never the internal M1..M7 buckets:
    '0'..'6', the character used for the Payment Rating and the Payment History Profile. -#}
{% macro metro2_dpd_rating(days_past_due) -%}
    case
        when {{ days_past_due }} >= 180 then '6'
        when {{ days_past_due }} >= 150 then '5'
        when {{ days_past_due }} >= 120 then '4'
        when {{ days_past_due }} >= 90 then '3'
        when {{ days_past_due }} >= 60 then '2'
        when {{ days_past_due }} >= 30 then '1'
        else '0'
    end
{%- endmacro %}

{#- Account Status (field 17A). Precedence: confirmed fraud (DF), transferred (05), charged off and paid
    off (64) or still owing (97), closed with zero balance (13), then the DPD status (also for closed
    accounts that still owe a balance) - but only when at least one whole dollar is past due: amounts are
    reported in whole dollars with the cents truncated, and a delinquent status with Amount Past Due 0 is
    rejected (by our validator and by independent ones), so a sub-dollar past due reports as current. -#}
{% macro metro2_account_status(account_status, days_past_due, current_balance, fraud_flag, amount_past_due) -%}
    case
        when coalesce({{ fraud_flag }}, false) then 'DF'
        when {{ account_status }} = 'TRANSFERRED' then '05'
        when {{ account_status }} = 'CHARGED_OFF' and {{ current_balance }} <= 0 then '64'
        when {{ account_status }} = 'CHARGED_OFF' then '97'
        when {{ account_status }} = 'CLOSED' and {{ current_balance }} <= 0 then '13'
        when floor(coalesce({{ amount_past_due }}, 0)) < 1 then '11'
        else case {{ metro2_dpd_rating(days_past_due) }}
            {%- for rating, status in metro2_status_by_rating().items() %}
            when '{{ rating }}' then '{{ status }}'
            {%- endfor %}
        end
    end
{%- endmacro %}

{#- Status of a DPD rating: the inverse of the cut points above. -#}
{% macro metro2_status_by_rating() -%}
    {{ return({'0': '11', '1': '71', '2': '78', '3': '80', '4': '82', '5': '83', '6': '84'}) }}
{%- endmacro %}

{#- Groups of Account Status codes the report's fields depend on, as a SQL list. -#}
{% macro metro2_statuses(group) -%}
    {%- set groups = {
        'past_due': ['71', '78', '80', '82', '83', '84'],
        'charged_off': ['97', '64'],
        'requires_payment_rating': ['05', '13', '65', '88', '89', '94', '95'],
    } -%}
    ({%- for code in groups[group] %}'{{ code }}'{{ ', ' if not loop.last }}{% endfor -%})
{%- endmacro %}

{#- Payment History Profile character for a period reported with `status` and `balance`. -#}
{% macro metro2_history_char(status, balance) -%}
    case
        when {{ status }} = '11' and coalesce({{ balance }}, 0) = 0 then 'E'
        {%- for rating, code in metro2_status_by_rating().items() %}
        when {{ status }} = '{{ code }}' then '{{ rating }}'
        {%- endfor %}
        when {{ status }} in {{ metro2_statuses('charged_off') }} then 'L'
        when {{ status }} = '13' then 'E'
        else 'D'
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
