{{ config(unique_key='business_date') }}

{#- Delinquency rates per business date over the outstanding book (on-book buckets, i.e. charged-off,
    transferred and closed-and-paid accounts excluded):
      coincident DQ_k+(t) = Bal(DPD >= k, t) / Bal_total(t)
      lagged     DQ_k+(t) = Bal(DPD >= k, t) / Bal_total(t - L_k), L_k = vars delinquency_lag_months_<k>
    t - L months keeps month ends on month ends. Every book total (the run's date's and the earlier ones)
    comes from mart_aging_daily, reading only the dates needed; a missing earlier date gives a null lagged
    rate. -#}
{%- set thresholds = [30, 60, 90] -%}

with

accounts as (

    select * from {{ ref('fct_account_daily') }}
    where {{ business_date_filter('business_date') }}

),

on_book_buckets as (

    select bucket_code from {{ ref('dpd_buckets') }}
    where is_on_book

),

delinquent_balances as (

    select
        accounts.business_date,
        {%- for k in thresholds %}
        sum(case when accounts.days_past_due >= {{ k }} then accounts.current_balance else 0 end)
            as dpd{{ k }}_balance{{ ',' if not loop.last }}
        {%- endfor %}

    from accounts

    inner join on_book_buckets
        on on_book_buckets.bucket_code = accounts.bucket_code

    group by 1

),

book_totals as (

    -- the outstanding book as mart_aging_daily counts it (its on-book rows), on the run's date and on the
    -- earlier dates the lagged rates divide by
    select
        business_date,
        max(case when is_month_end then 1 else 0 end) = 1 as is_month_end,
        sum(account_count) as book_account_count,
        sum(current_balance) as book_balance

    from {{ ref('mart_aging_daily') }}
    where is_on_book
    {%- if var('business_date', none) is not none %}
        and business_date in (
            {{ business_date_literal() }},
            {%- for k in thresholds %}
            {{ months_before(business_date_literal(), var('delinquency_lag_months_' ~ k)) }}{{ ',' if not loop.last }}
            {%- endfor %}
        )
    {%- endif %}
    group by 1

),

lag_dates as (

    select
        delinquent_balances.*,
        book_totals.is_month_end,
        book_totals.book_account_count,
        book_totals.book_balance,
        {%- for k in thresholds %}
        {{ months_before('delinquent_balances.business_date', var('delinquency_lag_months_' ~ k)) }}
            as lag_date_{{ k }}{{ ',' if not loop.last }}
        {%- endfor %}

    from delinquent_balances

    inner join book_totals
        on book_totals.business_date = delinquent_balances.business_date

),

final as (

    select
        lag_dates.business_date,
        lag_dates.is_month_end,
        cast(lag_dates.book_account_count as bigint) as book_account_count,
        {{ money('lag_dates.book_balance') }} as book_balance,
        {%- for k in thresholds %}
        {{ money('lag_dates.dpd' ~ k ~ '_balance') }} as dpd{{ k }}_balance,
        cast(
            lag_dates.dpd{{ k }}_balance
            / nullif(cast(lag_dates.book_balance as numeric(38, 10)), 0) as numeric(18, 10)
        ) as dq{{ k }}_rate,
        cast({{ var('delinquency_lag_months_' ~ k) }} as integer) as lag_months_{{ k }},
        lag_dates.lag_date_{{ k }},
        {{ money('lagged_' ~ k ~ '.book_balance') }} as lagged_book_balance_{{ k }},
        cast(
            lag_dates.dpd{{ k }}_balance
            / nullif(cast(lagged_{{ k }}.book_balance as numeric(38, 10)), 0) as numeric(18, 10)
        ) as dq{{ k }}_lagged_rate{{ ',' if not loop.last }}
        {%- endfor %}

    from lag_dates

    {%- for k in thresholds %}

    left join book_totals as lagged_{{ k }}
        on lagged_{{ k }}.business_date = lag_dates.lag_date_{{ k }}
    {%- endfor %}

)

select * from final
