{#- How well the early-warning score predicted, once the future is known. For an as-of date and a
    horizon h (var early_warning_horizons, default 30/60/90 days): population = accounts scored on the
    as-of date that were not already bad (days_past_due < var early_warning_bad_dpd, default 30); bad =
    the account enters the bad state (DPD >= 30 or charged off; int_early_warning_bad_entries) within
    (as_of, evaluated_on]. Per tier: bad rate; per as-of date and horizon: AUC (Mann-Whitney rank sum with
    average ranks for tied scores) and KS (max |cumulative bad share - cumulative good share| over the
    score), repeated on each tier row.

    Drop cadence (docs/domain.md §2): the horizon ends at as_of + h days, or, when the as-of date is a month
    end of a month-end-only series (no date loaded the day after it), at the month end round(h / 30) months
    later, so 30/60/90 days are the next 1/2/3 month ends. The outcome is evaluated on the first loaded date
    on or after the horizon end (the horizon end itself on a daily series): an entry into bad is only seen
    on a loaded date.

    Cost: a daily run evaluates the horizons ending since the previous loaded date (evaluated_on = business
    date; delete+insert); it reads the loaded dates of the last max(h) + 31 days from the small aging mart,
    the scores of the as-of dates found and at most that window of the sparse bad-entry table. -#}
{{ config(unique_key='evaluated_on') }}

{%- set business_date = var('business_date', none) %}
{%- set horizons = var('early_warning_horizons', [30, 60, 90]) %}
{%- set bad_dpd = var('early_warning_bad_dpd', 30) | int %}
{%- set lookback_days = (horizons | max | int) + 31 %}
{%- set latest_date = business_date_literal() if business_date is not none
    else '(select max(business_date) from ' ~ ref('fct_account_daily') ~ ')' %}

with

horizons as (

    {%- for horizon in horizons %}
    select {{ horizon | int }} as horizon_days, {{ (horizon / 30) | round | int }} as horizon_months
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

loaded_dates as (

    select distinct business_date
    from {{ ref('mart_aging_daily') }}
    where {{ business_date_lookback_filter(lookback_days) }}

),

as_of_dates as (

    select
        business_date as as_of_date,
        lead(business_date) over (order by business_date) as next_loaded_date

    from loaded_dates

),

as_of_cadence as (

    -- a month end followed by the next month end, nothing loaded between: a month-end-only series
    select
        as_of_date,
        {{ is_month_end('as_of_date') }} and {{ is_month_end('next_loaded_date') }} as is_monthly

    from as_of_dates

    where next_loaded_date is not null

),

horizon_ends as (

    select
        as_of_cadence.as_of_date,
        horizons.horizon_days,
        case
            -- the month end horizon_months later: (as_of + 1 day) + horizon_months - 1 day
            {%- set day_after_as_of = dbt.dateadd('day', 1, 'as_of_cadence.as_of_date') %}
            when as_of_cadence.is_monthly then cast({{ dbt.dateadd(
                'day', -1, dbt.dateadd('month', 'horizons.horizon_months', day_after_as_of)
            ) }} as date)
            else cast({{ dbt.dateadd('day', 'horizons.horizon_days', 'as_of_cadence.as_of_date') }} as date)
        end as horizon_end

    from as_of_cadence

    cross join horizons

),

evaluations as (

    -- each (as-of date, horizon) on the first loaded date on or after its horizon end
    select
        horizon_ends.as_of_date,
        horizon_ends.horizon_days,
        min(loaded_dates.business_date) as evaluated_on

    from horizon_ends

    inner join loaded_dates
        on loaded_dates.business_date >= horizon_ends.horizon_end

    group by 1, 2
    {%- if business_date is not none %}

    having min(loaded_dates.business_date) = {{ latest_date }}
    {%- endif %}

),

population as (

    select
        evaluations.as_of_date,
        evaluations.horizon_days,
        evaluations.evaluated_on,
        scores.account_id,
        scores.score,
        scores.tier

    from evaluations

    inner join {{ ref('mart_early_warning_daily') }} as scores
        on scores.business_date = evaluations.as_of_date

    where scores.days_past_due < {{ bad_dpd }}

),

bad_entries as (

    select
        business_date,
        account_id

    from {{ ref('int_early_warning_bad_entries') }}
    {%- if business_date is not none %}
    where {{ business_date_lookback_filter(lookback_days) }}
    {%- endif %}

),

outcomes as (

    select
        population.as_of_date,
        population.horizon_days,
        population.evaluated_on,
        population.account_id,
        population.score,
        population.tier,
        max(case when bad_entries.account_id is not null then 1 else 0 end) as is_bad

    from population

    left join bad_entries
        on bad_entries.account_id = population.account_id
        and bad_entries.business_date > population.as_of_date
        and bad_entries.business_date <= population.evaluated_on

    group by 1, 2, 3, 4, 5, 6

),

tier_rates as (

    select
        as_of_date,
        horizon_days,
        evaluated_on,
        tier,
        count(*) as accounts,
        sum(is_bad) as bad_accounts

    from outcomes

    group by 1, 2, 3, 4

    union all

    select
        as_of_date,
        horizon_days,
        evaluated_on,
        'all' as tier,
        count(*) as accounts,
        sum(is_bad) as bad_accounts

    from outcomes

    group by 1, 2, 3

),

score_groups as (

    select
        as_of_date,
        horizon_days,
        score,
        count(*) as accounts,
        sum(is_bad) as bads,
        count(*) - sum(is_bad) as goods

    from outcomes

    group by 1, 2, 3

),

score_cumulatives as (

    select
        *,
        -- accounts with a lower score: tied scores share the average rank below + (n + 1) / 2
        coalesce(sum(accounts) over (
            partition by as_of_date, horizon_days order by score
            rows between unbounded preceding and 1 preceding
        ), 0) as accounts_below,
        sum(bads) over (
            partition by as_of_date, horizon_days order by score
            rows between unbounded preceding and current row
        ) as cumulative_bads,
        sum(goods) over (
            partition by as_of_date, horizon_days order by score
            rows between unbounded preceding and current row
        ) as cumulative_goods,
        sum(bads) over (partition by as_of_date, horizon_days) as total_bads,
        sum(goods) over (partition by as_of_date, horizon_days) as total_goods

    from score_groups

),

rank_power as (

    select
        as_of_date,
        horizon_days,
        case
            when max(total_bads) > 0 and max(total_goods) > 0 then
                (
                    sum(cast(bads as double precision) * (accounts_below + (accounts + 1) / 2.0))
                    - cast(max(total_bads) as double precision) * (max(total_bads) + 1) / 2.0
                )
                / (cast(max(total_bads) as double precision) * cast(max(total_goods) as double precision))
        end as auc,
        case
            when max(total_bads) > 0 and max(total_goods) > 0 then
                max(abs(
                    cast(cumulative_bads as double precision) / total_bads
                    - cast(cumulative_goods as double precision) / total_goods
                ))
        end as ks

    from score_cumulatives

    group by 1, 2

),

final as (

    select
        cast(tier_rates.evaluated_on as date) as evaluated_on,
        cast(tier_rates.as_of_date as date) as as_of_date,
        cast(tier_rates.horizon_days as integer) as horizon_days,
        cast(tier_rates.tier as varchar) as tier,
        cast(tier_rates.accounts as bigint) as accounts,
        cast(tier_rates.bad_accounts as bigint) as bad_accounts,
        cast(tier_rates.bad_accounts as double precision) / tier_rates.accounts as bad_rate,
        cast(rank_power.auc as double precision) as auc,
        cast(rank_power.ks as double precision) as ks

    from tier_rates

    left join rank_power
        on rank_power.as_of_date = tier_rates.as_of_date
        and rank_power.horizon_days = tier_rates.horizon_days

)

select * from final
