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

{#- How long negative information stays on file (征信业管理条例 §16): 5 years from the day the negative
    behaviour or event ended (the account brought current, paid off, settled or sold), then it is deleted.
    The one home of the PBOC period: int_account_delinquency_episodes dates each end, rpt_bureau_purges
    deletes what reaches it. -#}
{% macro pboc_negative_retention_years() -%}
    {{ return(5) }}
{%- endmacro %}

{#- The day negative information about a delinquency that ended on `ended_on` must be gone from the PBOC. -#}
{% macro pboc_purge_due(ended_on) -%}
    cast({{ dbt.dateadd('year', pboc_negative_retention_years(), ended_on) }} as date)
{%- endmacro %}

{#- FCRA §605(a)(4), (c): an account's delinquency may be reported by a consumer reporting agency for 7 years
    counted from 180 days after the delinquency began (Metro 2's Date of First Delinquency). The agency purges
    it; the furnisher's part is to keep the DOFD it reported (never re-age it) - docs/metro2.md §6. -#}
{% macro metro2_obsolete_on(date_first_delinquency) -%}
    cast({{ dbt.dateadd('year', 7, dbt.dateadd('day', 180, date_first_delinquency)) }} as date)
{%- endmacro %}
