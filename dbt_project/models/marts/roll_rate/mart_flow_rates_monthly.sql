{#- Pooled flow rates (迁徙率) per bucket step, month end to month end (docs/domain.md §4):
    FR_k(t) = Bal_{k+1}(t) / Bal_k(t-1), the step chain from seed roll_rate_flow_steps; the last step's
    numerator is the balance charged off during month t. Beside them: the cohort's cumulative flow read
    diagonally (its value on the charge-off step is the net flow to charge-off), the same-month forward
    product to charge-off with the loss forecast it implies, and the account-tracked cure / stay /
    roll-forward / absorbed shares from mart_roll_rate_monthly.

    Cost: like mart_roll_rate_monthly, nothing on days that are not a calendar month end; on a month end
    the model reads month-end snapshots of the last `roll_rate_flow_history_months` months (default 13:
    enough for a 7-step diagonal plus its opening month) and writes that month only. -#}
{{ config(unique_key='to_month_end', tags=['month_end_only']) }}

{%- set history_months = var('roll_rate_flow_history_months', 13) | int %}

with

flow_steps as (

    select * from {{ ref('roll_rate_flow_steps') }}

),

month_end_accounts as (

    {{ account_states(month_end_snapshots_filter(31 * history_months),
                      columns=['account_status', 'charge_off_date', 'charge_off_amount']) }}

),

month_pairs as (

    select
        lag(month_end) over (order by month_end) as from_month_end,
        month_end as to_month_end,
        -- calendar month number, so the cohort diagonal skips nothing silently
        cast(extract(year from month_end) * 12 + extract(month from month_end) as integer) as month_index

    from (select distinct business_date as month_end from month_end_accounts) as month_ends

),

bucket_balances as (

    select
        business_date as month_end,
        bucket_code,
        sum(balance) as balance

    from month_end_accounts

    group by 1, 2

),

charged_off_in_month as (

    -- written-off amount of the accounts charged off during the month (still on file at its end:
    -- charged-off accounts stay in the snapshot while they owe anything)
    select
        month_pairs.to_month_end,
        sum(month_end_accounts.charge_off_amount) as charged_off_balance

    from month_pairs

    inner join month_end_accounts
        on month_end_accounts.business_date = month_pairs.to_month_end
        and month_end_accounts.account_status = 'CHARGED_OFF'
        and month_end_accounts.charge_off_date > month_pairs.from_month_end
        and month_end_accounts.charge_off_date <= month_pairs.to_month_end

    group by 1

),

step_flows as (

    select
        month_pairs.from_month_end,
        month_pairs.to_month_end,
        month_pairs.month_index,
        flow_steps.step_order,
        flow_steps.from_bucket,
        flow_steps.to_bucket,
        coalesce(opening.balance, 0) as from_opening_balance,
        coalesce(remaining.balance, 0) as from_closing_balance,
        case
            when flow_steps.to_bucket = 'CHARGED_OFF' then coalesce(charged_off_in_month.charged_off_balance, 0)
            else coalesce(arriving.balance, 0)
        end as to_closing_balance

    from month_pairs

    cross join flow_steps

    left join bucket_balances as opening
        on opening.month_end = month_pairs.from_month_end
        and opening.bucket_code = flow_steps.from_bucket

    left join bucket_balances as remaining
        on remaining.month_end = month_pairs.to_month_end
        and remaining.bucket_code = flow_steps.from_bucket

    left join bucket_balances as arriving
        on arriving.month_end = month_pairs.to_month_end
        and arriving.bucket_code = flow_steps.to_bucket

    left join charged_off_in_month
        on charged_off_in_month.to_month_end = month_pairs.to_month_end

    where month_pairs.from_month_end is not null

),

flow_rates as (

    select
        *,
        case
            when from_opening_balance > 0
                then cast(to_closing_balance as double precision) / cast(from_opening_balance as double precision)
        end as flow_rate

    from step_flows

),

target_flows as (

    select * from flow_rates
    where {{ business_date_filter('to_month_end') }}

),

cohort_products as (

    -- product of FR_m(t - (k - m)) for m = 1..k: the cohort that was CURRENT k months ago, followed
    -- down the diagonal; null unless every factor exists (a product of logs, zero handled apart)
    select
        target_flows.to_month_end,
        target_flows.step_order,
        case
            when count(earlier.flow_rate) < target_flows.step_order then null
            when min(earlier.flow_rate) = 0 then 0
            -- rounded to 12 places: exp(sum(ln)) leaves noise in the last bits
            else cast(exp(sum(ln(case when earlier.flow_rate > 0 then earlier.flow_rate end))) as numeric(38, 12))
        end as cohort_flow_rate

    from target_flows

    left join flow_rates as earlier
        on earlier.step_order <= target_flows.step_order
        and earlier.month_index = target_flows.month_index - (target_flows.step_order - earlier.step_order)

    group by 1, 2

),

forward_products as (

    -- product of this month's FR_m for m >= k: share of today's bucket-k balance expected to reach charge-off
    select
        target_flows.to_month_end,
        target_flows.step_order,
        case
            when count(later.flow_rate) < count(*) then null
            when min(later.flow_rate) = 0 then 0
            else cast(exp(sum(ln(case when later.flow_rate > 0 then later.flow_rate end))) as numeric(38, 12))
        end as forward_flow_to_charge_off

    from target_flows

    inner join flow_rates as later
        on later.to_month_end = target_flows.to_month_end
        and later.step_order >= target_flows.step_order

    group by 1, 2

),

transition_shares as (

    select
        to_month_end,
        from_bucket,
        sum(case when transition_type = 'cure' then count_rate else 0 end) as cure_count_share,
        sum(case when transition_type = 'stay' then count_rate else 0 end) as stay_count_share,
        sum(case when transition_type = 'roll_forward' then count_rate else 0 end) as roll_forward_count_share,
        sum(case when transition_type = 'absorbed' then count_rate else 0 end) as absorbed_count_share,
        case when max(from_opening_balance) > 0 then
            sum(case when transition_type = 'cure' then balance_rate else 0 end) end as cure_balance_share,
        case when max(from_opening_balance) > 0 then
            sum(case when transition_type = 'stay' then balance_rate else 0 end) end as stay_balance_share,
        case when max(from_opening_balance) > 0 then
            sum(case when transition_type = 'roll_forward' then balance_rate else 0 end) end
            as roll_forward_balance_share,
        case when max(from_opening_balance) > 0 then
            sum(case when transition_type = 'absorbed' then balance_rate else 0 end) end as absorbed_balance_share

    from {{ ref('mart_roll_rate_monthly') }}

    where to_month_end in (select to_month_end from target_flows)

    group by 1, 2

),

final as (

    select
        cast(target_flows.from_month_end as date) as from_month_end,
        cast(target_flows.to_month_end as date) as to_month_end,
        cast(target_flows.step_order as integer) as step_order,
        cast(target_flows.from_bucket as varchar) as from_bucket,
        cast(target_flows.to_bucket as varchar) as to_bucket,
        cast(target_flows.from_opening_balance as numeric(20, 2)) as from_opening_balance,
        cast(target_flows.to_closing_balance as numeric(20, 2)) as to_closing_balance,
        cast(target_flows.from_closing_balance as numeric(20, 2)) as from_closing_balance,
        cast(target_flows.flow_rate as double precision) as flow_rate,
        cast(cohort_products.cohort_flow_rate as double precision) as cohort_flow_rate,
        cast(forward_products.forward_flow_to_charge_off as double precision) as forward_flow_to_charge_off,
        cast(
            target_flows.from_closing_balance * forward_products.forward_flow_to_charge_off as numeric(20, 2)
        ) as forecast_charge_off_balance,
        cast(transition_shares.cure_count_share as double precision) as cure_count_share,
        cast(transition_shares.stay_count_share as double precision) as stay_count_share,
        cast(transition_shares.roll_forward_count_share as double precision) as roll_forward_count_share,
        cast(transition_shares.absorbed_count_share as double precision) as absorbed_count_share,
        cast(transition_shares.cure_balance_share as double precision) as cure_balance_share,
        cast(transition_shares.stay_balance_share as double precision) as stay_balance_share,
        cast(transition_shares.roll_forward_balance_share as double precision) as roll_forward_balance_share,
        cast(transition_shares.absorbed_balance_share as double precision) as absorbed_balance_share

    from target_flows

    left join cohort_products
        on cohort_products.to_month_end = target_flows.to_month_end
        and cohort_products.step_order = target_flows.step_order

    left join forward_products
        on forward_products.to_month_end = target_flows.to_month_end
        and forward_products.step_order = target_flows.step_order

    left join transition_shares
        on transition_shares.to_month_end = target_flows.to_month_end
        and transition_shares.from_bucket = target_flows.from_bucket

)

select * from final
