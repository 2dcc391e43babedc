{#- Hard override: no scored account at or above the DPD_30_PLUS threshold is below the high tier.
    On the run's business date only (every date without the var), so the test's cost follows the day. -#}
select
    scores.business_date,
    scores.account_id,
    scores.days_past_due,
    scores.tier

from {{ ref('mart_early_warning_daily') }} as scores

inner join {{ ref('early_warning_overrides') }} as overrides
    on overrides.override_code = 'DPD_30_PLUS'
    and overrides.is_enabled

where {{ business_date_filter('scores.business_date') }}
    and scores.days_past_due >= overrides.threshold
    and scores.tier <> overrides.forced_tier
