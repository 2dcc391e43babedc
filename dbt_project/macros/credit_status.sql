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

{#- An account-day closed for fraud: it left OPEN (closed, charged off, sold) with its fraud flag set or for
    the reason FRAUD; an open account whose flag is set is under investigation, not yet closed for fraud. The
    condition of Metro 2's DF status (macro metro2_account_status) and of the PBOC's whole-account deletion
    (214, rpt_bureau_purges; rpt_pboc_card_accounts no longer reports the account). -#}
{% macro closed_for_fraud(account_status, fraud_flag, status_reason) -%}
    ({{ account_status }} <> 'OPEN'
        and (coalesce({{ fraud_flag }}, false) or coalesce({{ status_reason }} = 'FRAUD', false)))
{%- endmacro %}

{#- Account Status (field 17A). Precedence: closed for fraud (DF: the account left OPEN - closed, charged
    off, sold - with its fraud flag set or for the reason FRAUD; an open account whose fraud flag is set is
    under investigation and keeps its delinquency status), transferred (05), charged off and paid off (64:
    charged off with nothing left owed, also once the platform closes it), charged off still owing (97),
    closed with zero balance (13), then the DPD status (also for closed accounts that still owe a balance) -
    but only when at least one whole dollar is past due: amounts are reported in whole dollars with the
    cents truncated, and a delinquent status with Amount Past Due 0 is rejected (by our validator and by
    independent ones), so a sub-dollar past due reports as current. -#}
{% macro metro2_account_status(account_status, days_past_due, current_balance, fraud_flag, amount_past_due,
                               status_reason, charge_off_date) -%}
    case
        when {{ closed_for_fraud(account_status, fraud_flag, status_reason) }} then 'DF'
        when {{ account_status }} = 'TRANSFERRED' then '05'
        when {{ account_status }} = 'CHARGED_OFF' and {{ current_balance }} <= 0 then '64'
        when {{ account_status }} = 'CHARGED_OFF' then '97'
        when {{ account_status }} = 'CLOSED' and {{ current_balance }} <= 0
            and {{ charge_off_date }} is not null then '64'
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

{#- Groups of Account Status codes the report's fields depend on, as a SQL list. 'final': the account's
    last record - transferred, paid or closed, charge-off paid, deleted for fraud: reported once, in the
    period it happens, then never again (rpt_bureau_accounts). -#}
{% macro metro2_statuses(group) -%}
    {%- set groups = {
        'past_due': ['71', '78', '80', '82', '83', '84'],
        'charged_off': ['97', '64'],
        'requires_payment_rating': ['05', '13', '65', '88', '89', '94', '95'],
        'final': ['05', '13', '64', 'DF'],
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

{#- Payment History Profile character of the month before a snapshot, for an account's first reported
    period (the month before the account's first record is not in this file's history). The snapshot of the
    period's first day shows it: charged off before that day -> L; otherwise, with no payment posted that
    day, the days past due of the day before are one less (they grow by exactly the days elapsed unless a
    payment cures, docs/domain.md §2), rated with Metro 2's cut points (current when less than a whole
    dollar is past due, E when nothing is owed); a payment posted that day may have cured or lowered the
    delinquency, so the month before is reported as unknown (D). -#}
{% macro metro2_history_char_before_snapshot(days_past_due, amount_past_due, charge_off_date, current_balance,
                                             snapshot_date, paid_that_day) -%}
    case
        when {{ charge_off_date }} < {{ snapshot_date }} then 'L'
        when {{ paid_that_day }} then 'D'
        when {{ days_past_due }} >= 1 and floor(coalesce({{ amount_past_due }}, 0)) >= 1
            then {{ metro2_dpd_rating(days_past_due ~ ' - 1') }}
        when coalesce({{ current_balance }}, 0) <= 0 then 'E'
        else '0'
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
