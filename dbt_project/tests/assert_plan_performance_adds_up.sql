{#- Plan inventory adds up (docs/domain.md §9): on the run's date (every date without the var), each row of
    mart_repayment_plan_performance has started = active + completed + broken + cancelled, past due within the
    measured, 30+ within past due, cured within the delinquent at start. -#}
select *
from {{ ref('mart_repayment_plan_performance') }}
where {{ business_date_filter('business_date') }}
    and (
        plans_started <> plans_active + plans_completed + plans_broken + plans_cancelled
        or plans_past_due_3m > plans_measured_3m
        or plans_30_plus_3m > plans_past_due_3m
        or plans_past_due_6m > plans_measured_6m
        or plans_30_plus_6m > plans_past_due_6m
        or plans_cured_3m > plans_delinquent_at_start_measured_3m
        or plans_measured_6m > plans_started
    )
