{#- The early-warning policy (seed early_warning_signals) as one row holding every window / parameter the
    set-based signal computations need, as a select body. `cycle_policy_key` fingerprints what
    int_account_cycle_features bakes into its stored rows (the cycle windows and the min-pay band): when
    it changes, the stored features are stale and must be rebuilt (see assert_cycle_policy_unchanged). -#}
{% macro early_warning_policy() -%}
    {%- set cycle_parameters = [
        ('UTIL_TREND_UP', 'window_length', 'util_trend_cycles'),
        ('OVERLIMIT', 'window_length', 'overlimit_cycles'),
        ('MIN_PAY_ONLY', 'window_length', 'min_pay_only_cycles'),
        ('MIN_PAY_ONLY', 'parameter_value', 'min_pay_only_band'),
        ('PARTIAL_PAY', 'window_length', 'partial_pay_cycles'),
        ('PAY_RATIO_LOW', 'window_length', 'pay_ratio_cycles'),
        ('CONSEC_MISS_n', 'window_length', 'consec_miss_cycles'),
        ('BAL_GROWTH', 'window_length', 'bal_growth_cycles'),
        ('EARLY_DELINQ_MOB', 'window_length', 'early_delinq_cycles'),
    ] -%}
    select
        {%- for signal_code, column, name in cycle_parameters %}
        max(case when signal_code = '{{ signal_code }}' then {{ column }} end) as {{ name }},
        {%- endfor %}
        max(case when signal_code = 'PAY_REVERSAL' then window_length end) as pay_reversal_days,
        max(case when signal_code = 'BROKEN_PROMISE' then window_length end) as broken_promise_days,
        max(case when signal_code = 'REFUSED_TO_PAY' then window_length end) as refused_to_pay_days,
        max(case when signal_code = 'BROKEN_PLAN' then window_length end) as broken_plan_days,
        max(case when signal_code = 'BAL_GROWTH' then parameter_value end) as bal_growth_min_base,
        max(case when signal_code = 'DUE_SOON_AT_RISK' then parameter_value end) as due_soon_other_signals,
        -- statement cycles to look back: the longest window plus the cycle a comparison starts from
        max(case when signal_code not in ('PAY_REVERSAL', 'DAYS_SINCE_LAST_PAY', 'DUE_SOON_AT_RISK',
                                          'BROKEN_PROMISE', 'REFUSED_TO_PAY', 'BROKEN_PLAN')
            then window_length end) + 1 as lookback_cycles,
        {%- for signal_code, column, name in cycle_parameters %}
        coalesce(cast(max(case when signal_code = '{{ signal_code }}' then {{ column }} end) as varchar), '-')
            {{- " || '/' ||" if not loop.last }}
        {%- endfor %} as cycle_policy_key

    from {{ ref('early_warning_signals') }}
{%- endmacro %}

{#- Stop an incremental run of int_account_cycle_features when the seed's cycle windows changed since the
    stored rows the signals will read (the last 31 days) were computed: mixing features of two policies
    would fire signals inconsistently across accounts. The fix is a rebuild of the stored history. -#}
{% macro assert_cycle_policy_unchanged() -%}
    {%- if execute and changes_only_run() -%}
        {%- set current = run_query('select cycle_policy_key from (' ~ early_warning_policy() ~ ') as policy') -%}
        {%- set stored = run_query(
            'select distinct cycle_policy_key from ' ~ this
            ~ ' where business_date < ' ~ business_date_literal()
            ~ ' and business_date >= cast(' ~ dbt.dateadd('day', -31, business_date_literal()) ~ ' as date)'
        ) -%}
        {%- set expected = current.columns[0].values()[0] -%}
        {%- set found = stored.columns[0].values() | reject('equalto', expected) | list -%}
        {%- if found -%}
            {{ exceptions.raise_compiler_error(
                "early-warning cycle windows changed in seed early_warning_signals (stored features: "
                ~ found | join(', ') ~ "; seed now: " ~ expected ~ "). Rebuild the stored features before "
                ~ "the next daily run: dbt build --full-refresh --select int_account_cycle_features+"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
