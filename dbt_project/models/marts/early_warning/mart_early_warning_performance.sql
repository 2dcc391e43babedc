{#- How well the early-warning score predicted, once the future is known. For an as-of date and a
    horizon h (var early_warning_horizons, default 30/60/90 days): population = accounts scored on the
    as-of date that were not already bad (days_past_due < var early_warning_bad_dpd, default 30); bad =
    the account enters the bad state (DPD >= 30 or charged off; int_early_warning_bad_entries) within
    (as_of, as_of + h]. Per tier: bad rate; per as-of date and horizon: AUC (Mann-Whitney rank sum with
    average ranks for tied scores) and KS (max |cumulative bad share - cumulative good share| over the
    score), repeated on each tier row.

    Cost: a daily run evaluates the as-of dates that complete on its business date (as_of = business
    date - h) and writes rows with evaluated_on = business date (delete+insert); it reads those three
    days of scores and at most max(h) days of the sparse bad-entry table. -#}
{{ config(unique_key='evaluated_on') }}

{%- set business_date = var('business_date', none) %}
{%- set horizons = var('early_warning_horizons', [30, 60, 90]) %}
{%- set bad_dpd = var('early_warning_bad_dpd', 30) | int %}
{%- set latest_date = business_date_literal() if business_date is not none
    else '(select max(business_date) from ' ~ ref('fct_account_daily') ~ ')' %}

with

horizons as (

    {%- for horizon in horizons %}
    select {{ horizon | int }} as horizon_days
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

evaluations as (

    -- the (as-of date, horizon) pairs whose horizon ends on or before the latest business date
    {%- if business_date is not none %}
    select
        cast({{ dbt.dateadd('day', '-1 * horizon_days', latest_date) }} as date) as as_of_date,
        horizon_days,
        {{ latest_date }} as evaluated_on

    from horizons
    {%- else %}
    select
        score_dates.as_of_date,
        horizons.horizon_days,
        cast({{ dbt.dateadd('day', 'horizons.horizon_days', 'score_dates.as_of_date') }} as date) as evaluated_on

    from (select distinct business_date as as_of_date from {{ ref('mart_early_warning_daily') }}) as score_dates

    cross join horizons

    where cast({{ dbt.dateadd('day', 'horizons.horizon_days', 'score_dates.as_of_date') }} as date)
        <= {{ latest_date }}
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
    where business_date <= {{ latest_date }}
        and business_date > cast({{ dbt.dateadd('day', -(horizons | max | int), latest_date) }} as date)
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
