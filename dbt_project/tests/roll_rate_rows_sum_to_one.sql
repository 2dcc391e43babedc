{#- Every from-row of the roll-rate matrix sums to 1: count_rate always, balance_rate whenever the
    from-bucket had any balance. Absorbing and MISSING states being explicit is what makes this hold.
    Tolerance 1e-9 for floating-point addition. -#}
select
    to_month_end,
    from_bucket,
    sum(count_rate) as count_rate_total,
    sum(balance_rate) as balance_rate_total,
    max(from_opening_balance) as from_opening_balance

from {{ ref('mart_roll_rate_monthly') }}

group by 1, 2

having abs(sum(count_rate) - 1) > 1e-9
    or (max(from_opening_balance) > 0 and abs(sum(balance_rate) - 1) > 1e-9)
    or sum(accounts) <> max(from_accounts)
