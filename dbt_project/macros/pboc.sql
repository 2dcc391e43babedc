{#- PBOC second-generation (二代) card account record 210: the one home of how an account's month-end state
    maps to the record's codes (docs/pboc.md §3). The layout is modelled on public sources, not an official
    specification. rpt_pboc_card_accounts calls these macros; tests/reporting/pboc/test_pboc_codes.py holds the
    validator's code tables (creditwh/reporting/pboc/spec.py) to them. -#}

{#- 当前还款状态 digit on the PBOC scale: 1 = 1-30 days, 2 = 31-60, ... 6 = 151-180, 7 = above 180. A standard
    of the format, so it never reads the internal bucket seed (a bank may switch that to the 1-29 variant). -#}
{% macro pboc_dpd_status(days_past_due) -%}
    case
        when {{ days_past_due }} > 180 then '7'
        when {{ days_past_due }} > 150 then '6'
        when {{ days_past_due }} > 120 then '5'
        when {{ days_past_due }} > 90 then '4'
        when {{ days_past_due }} > 60 then '3'
        when {{ days_past_due }} > 30 then '2'
        else '1'
    end
{%- endmacro %}

{#- Whether the account-day is reported overdue: past due and at least one whole yuan owed past due (amounts
    go out in whole yuan, cents truncated, and an overdue status with 当前逾期总额 0 breaks rule I2100H09, so
    a sub-yuan past due is reported as paid - the same tolerance as the Metro 2 status). -#}
{% macro pboc_is_overdue(days_past_due, amount_past_due) -%}
    (coalesce({{ days_past_due }}, 0) > 0 and floor(coalesce({{ amount_past_due }}, 0)) >= 1)
{%- endmacro %}

{#- 账户状态 of a credit card (R2): 1 正常, 4 销户, 5 呆账. Closed with a balance still owed is 3 止付 (use stopped,
    collection continues), a charge-off paid off or recovered in full, a sale and a closure are 4 销户. -#}
{% macro pboc_account_status(account_status, current_balance) -%}
    case
        when {{ account_status }} = 'CHARGED_OFF' and {{ current_balance }} > 0 then '5'
        when {{ account_status }} = 'CLOSED' and {{ current_balance }} > 0 then '3'
        when {{ account_status }} in ('CLOSED', 'TRANSFERRED', 'CHARGED_OFF') then '4'
        else '1'
    end
{%- endmacro %}

{#- 当前还款状态 of the month. Precedence: B 呆账 (charged off, still owed), G ended other than by a normal
    closure (sold), C 结清 / 正常销户 (closed, nothing owed), the overdue scale 1-7, N paid as agreed (a statement
    with a balance this month), * nothing to pay this month and nothing owed before. -#}
{% macro pboc_repayment_status(account_status, current_balance, days_past_due, amount_past_due, statement_balance) -%}
    case
        when {{ account_status }} = 'CHARGED_OFF' and {{ current_balance }} > 0 then 'B'
        when {{ account_status }} = 'TRANSFERRED' then 'G'
        when {{ account_status }} in ('CLOSED', 'CHARGED_OFF') and {{ current_balance }} <= 0 then 'C'
        when {{ pboc_is_overdue(days_past_due, amount_past_due) }} then {{ pboc_dpd_status(days_past_due) }}
        when floor(coalesce({{ statement_balance }}, 0)) >= 1 then 'N'
        else '*'
    end
{%- endmacro %}

{#- Codes of the record's fixed fields (basic information segment) and of 报告时点说明代码 (RptDateCode). The
    public sources name these elements but not every code value: docs/pboc.md §2 lists which values are
    read from public code and which are this project's choice. -#}
{% macro pboc_codes() -%}
    {{ return({
        'inf_rec_type': '210',
        'acct_type': 'R2',
        'id_type_resident_id': '10',
        'busi_lines': '2',
        'busi_dtl_lines': '81',
        'currency': 'CNY',
        'guar_mode': '4',
        'oth_repy_guar_way': '0',
        'asset_trand_flag': '0',
        'fund_sou': '1',
        'loan_form': '1',
        'rpt_first': '10',
        'rpt_closed': '20',
        'rpt_monthly': '30',
        'rpt_charged_off': '40',
    }) }}
{%- endmacro %}
