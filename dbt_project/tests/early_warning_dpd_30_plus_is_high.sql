{#- Hard override: no scored account at or above the DPD_30_PLUS threshold is below the high tier. -#}
select
    scores.business_date,
    scores.account_id,
    scores.days_past_due,
    scores.tier

from {{ ref('mart_early_warning_daily') }} as scores

inner join {{ ref('early_warning_overrides') }} as overrides
    on overrides.override_code = 'DPD_30_PLUS'
    and overrides.is_enabled

where scores.days_past_due >= overrides.threshold
    and scores.tier <> overrides.forced_tier
