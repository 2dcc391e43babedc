{#- The score of every scored account-day equals the points of its fired signals, and no signal fires
    for an account-day that was not scored (only OPEN accounts are in scope). On the run's business date
    only (every date without the var), so the test's cost follows the day, not the history. -#}
with

signal_points as (

    select
        business_date,
        account_id,
        sum(points) as points

    from {{ ref('fct_early_warning_signals') }}

    where {{ business_date_filter() }}

    group by 1, 2

)

select
    coalesce(scores.business_date, signal_points.business_date) as business_date,
    coalesce(scores.account_id, signal_points.account_id) as account_id,
    scores.score,
    signal_points.points

from (select * from {{ ref('mart_early_warning_daily') }} where {{ business_date_filter() }}) as scores

full outer join signal_points
    on signal_points.business_date = scores.business_date
    and signal_points.account_id = scores.account_id

where scores.account_id is null
    or scores.score <> coalesce(signal_points.points, 0)
