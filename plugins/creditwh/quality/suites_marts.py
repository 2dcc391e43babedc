"""Marts suites: do the marts add up before anything is extracted from them?

Each suite runs on its mart's batch for the business date inside DuckDB. Column names follow the dbt models'
YAML (dbt_project/models/marts/**); adapt here when a model changes. Which layer owns which check:
creditwh.quality's docstring.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from creditwh.quality.severity import critical, warning

_FACT_VS_RAW_CONTROLS = """
with fact as (select * from {batch}),
day as (select distinct business_date from fact),
totals as (
    select count(*) as records,
           coalesce(sum(current_balance), 0)::decimal(38,2) as current_balance,
           coalesce(sum(amount_past_due), 0)::decimal(38,2) as amount_past_due
    from fact
),
manifest as (
    select lb.business_date, lb.accounts_records as records,
           json_extract_string(lb.manifest, '$.files.accounts.control_totals.current_balance')::decimal(38,2)
               as current_balance,
           json_extract_string(lb.manifest, '$.files.accounts.control_totals.amount_past_due')::decimal(38,2)
               as amount_past_due
    from raw.load_batches lb join day on lb.business_date = day.business_date
)
select day.business_date, manifest.records as manifest_records, totals.records as fact_records,
       manifest.current_balance as manifest_current_balance, totals.current_balance as fact_current_balance,
       manifest.amount_past_due as manifest_amount_past_due, totals.amount_past_due as fact_amount_past_due
from day cross join totals left join manifest on true
where manifest.records is distinct from totals.records
   or manifest.current_balance is distinct from totals.current_balance
   or manifest.amount_past_due is distinct from totals.amount_past_due
"""

_AGING_VS_FACT = """
with aging as (select * from {batch}),
day as (select distinct business_date from aging),
aging_totals as (
    select sum(account_count) as accounts,
           coalesce(sum(current_balance), 0)::decimal(38,2) as current_balance,
           coalesce(sum(amount_past_due), 0)::decimal(38,2) as amount_past_due
    from aging
),
fact_totals as (
    select count(*) as accounts,
           coalesce(sum(f.current_balance), 0)::decimal(38,2) as current_balance,
           coalesce(sum(f.amount_past_due), 0)::decimal(38,2) as amount_past_due
    from marts.fct_account_daily f join day on f.business_date = day.business_date
)
select day.business_date, a.accounts as aging_accounts, f.accounts as fact_accounts,
       a.current_balance as aging_current_balance, f.current_balance as fact_current_balance,
       a.amount_past_due as aging_amount_past_due, f.amount_past_due as fact_amount_past_due
from day cross join aging_totals a cross join fact_totals f
where a.accounts <> f.accounts or a.current_balance <> f.current_balance or a.amount_past_due <> f.amount_past_due
"""

_AGING_PER_BUCKET_VS_FACT = """
with aging as (select * from {batch}),
day as (select distinct business_date from aging),
aging_cells as (
    select bucket_code, sum(account_count) as accounts from aging group by bucket_code
),
fact_cells as (
    select f.bucket_code, count(*) as accounts
    from marts.fct_account_daily f join day on f.business_date = day.business_date
    group by f.bucket_code
)
select coalesce(a.bucket_code, f.bucket_code) as bucket_code, a.accounts as aging_accounts, f.accounts as fact_accounts
from aging_cells a full outer join fact_cells f on a.bucket_code = f.bucket_code
where a.accounts is distinct from f.accounts
"""

_HIGH_TIER_WITHOUT_REASON = """
select account_id, business_date, tier, score, top_reason_codes from {batch}
where lower(tier) = 'high' and coalesce(len(top_reason_codes), 0) = 0
"""

# The day's fact rows are read on the date alone (compared with one date, business_date lets DuckDB skip the
# other days' row groups; correlated on each row's date it reads the whole fact).
_EW_ACCOUNT_NOT_IN_FACT = """
with ew as (select * from {batch}),
fact as materialized (
    select f.account_id from marts.fct_account_daily f where f.business_date = (select max(business_date) from ew)
)
select ew.account_id, ew.business_date from ew
where not exists (select 1 from fact f where f.account_id = ew.account_id)
"""

FCT_ACCOUNT_DAILY = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in ("account_id", "business_date", "bucket_code", "account_status", "current_balance")
    ),
    critical(
        "one_row_per_account",
        "One row per account per business date.",
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
    ),
    critical(
        "fact_matches_raw_controls",
        "The day's account facts have the manifest's record count, sum(current_balance) and "
        "sum(amount_past_due) (raw.load_batches).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_FACT_VS_RAW_CONTROLS),
    ),
    critical(
        "dpd_not_negative",
        "days_past_due >= 0.",
        gxe.ExpectColumnValuesToBeBetween(column="days_past_due", min_value=0),
    ),
    warning(
        "metro2_status_present",
        "Every account-day carries a Metro 2 account status.",
        gxe.ExpectColumnValuesToNotBeNull(column="metro2_account_status"),
    ),
    warning(
        "hardship_flag_matches_plan",
        "The platform's hardship_flag is set exactly when the account's plan on the date is an ACTIVE "
        "HARDSHIP plan (docs/domain.md §9). WARNING: a plan delivered late, or on a day not loaded, shows here "
        "first.",
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select account_id, hardship_flag, plan_id, plan_type, plan_status from {batch} "
            "where hardship_flag <> coalesce(plan_type = 'HARDSHIP' and plan_status = 'ACTIVE', false)"
        ),
    ),
]

MART_AGING_DAILY = [
    critical(
        "aging_matches_fact",
        "Aging totals (accounts, current_balance, amount_past_due) equal the account-day fact.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_AGING_VS_FACT),
    ),
    critical(
        "aging_buckets_match_fact",
        "Accounts per bucket equal the account-day fact's.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_AGING_PER_BUCKET_VS_FACT),
    ),
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in ("business_date", "bucket_code", "account_count")
    ),
]

# "Every matrix row sums to 1" is the model's own invariant: dbt's singular test
# (dbt_project/tests/roll_rate_rows_sum_to_one.sql) owns it and fails the build; see creditwh.quality.
MART_ROLL_RATE_MONTHLY = [
    critical(
        "count_rate_in_unit_interval",
        "0 <= count_rate <= 1.",
        gxe.ExpectColumnValuesToBeBetween(column="count_rate", min_value=0, max_value=1),
    ),
]

MART_EARLY_WARNING_DAILY = [
    critical(
        "high_tier_has_reason",
        "Every high-tier early-warning row has at least one reason code.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_HIGH_TIER_WITHOUT_REASON),
    ),
    critical(
        "one_row_per_account",
        "One early-warning row per account per business date.",
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
    ),
    warning(
        "early_warning_account_in_fact",
        "Scored accounts exist in the day's account facts.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_EW_ACCOUNT_NOT_IN_FACT),
    ),
]


# Collections KPI marts (dbt_project/models/marts/collections; definitions in their YAML): every rate's
# numerator within its denominator and no negative count. Recovered money above the balance at placement
# is possible (interest and fees accrue after placement and a customer paying off pays them), so that
# check is a warning; every count check is critical.
def _counts_not_negative(*columns: str) -> list:
    return [
        critical(f"{c}_not_negative", f"{c} >= 0.", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
        for c in columns
    ]


def _within(rule: str, why: str, pairs: tuple[tuple[str, str], ...], key: str) -> object:
    """Rows where any numerator exceeds its denominator (pairs of (numerator, denominator) columns)."""
    broken = " or ".join(f"{n} > {d}" for n, d in pairs)
    shown = ", ".join(dict.fromkeys(c for pair in pairs for c in pair))
    query = f"select {key}, {shown} from {{batch}} where {broken}"
    return critical(rule, why, gxe.UnexpectedRowsExpectation(unexpected_rows_query=query))


_CALL_FUNNEL = (
    ("call_attempts", "attempts"),
    ("connects", "call_attempts"),
    ("right_party_contacts", "connects"),
    ("promises", "right_party_contacts"),
)

MART_COLLECTIONS_CONTACT_DAILY = [
    _within(
        "numerators_within_denominators",
        "call attempts <= attempts, connects <= call attempts, right-party contacts <= connects, promises and "
        "refusals <= right-party contacts, complaints and disputes <= all right-party contacts.",
        (
            *_CALL_FUNNEL,
            ("refusals", "right_party_contacts"),
            ("right_party_contacts", "all_right_party_contacts"),
            ("complaints", "all_right_party_contacts"),
            ("disputes", "all_right_party_contacts"),
        ),
        "business_date, channel, holder_id, collector_id",
    ),
    *_counts_not_negative("attempts", "talk_seconds"),
]

MART_COLLECTIONS_PROMISES_DAILY = [
    _within(
        "kept_within_due",
        "Promises kept <= promises due, and what was paid toward them <= what was promised.",
        (("promises_kept", "promises_due"), ("paid_toward_promises", "promised_amount")),
        "business_date, channel, holder_id, collector_id",
    ),
    critical(
        "kept_plus_broken_is_due",
        "Every promise judged is kept or broken.",
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select business_date, holder_id, collector_id, promises_due, promises_kept, "
            "promises_broken from {batch} where promises_kept + promises_broken <> promises_due"
        ),
    ),
    *_counts_not_negative("promises_broken", "paid_toward_promises"),
]

MART_COLLECTIONS_REMINDER_EFFECT = [
    _within(
        "on_time_within_judged",
        "Accounts paid on time <= the accounts judged, in each group.",
        (("paid_on_time_accounts", "accounts"),),
        "business_date, tier, is_reminded",
    ),
    *_counts_not_negative("paid_on_time_accounts"),
]

MART_COLLECTIONS_RECOVERY_DAILY = [
    *_counts_not_negative("accounts_placed", "placement_balance", "payments_posted"),
]

MART_COLLECTIONS_RECOVERY_MONTHLY = [
    *_counts_not_negative("accounts_placed", "placement_balance", "payments_posted"),
    warning(
        "recovered_within_placement_balance",
        "A placement cohort's recovered amount <= its balance at placement (above it only by interest and fees "
        "accrued after placement on accounts paid off).",
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select placement_month, holder_id, bucket_at_placement, placement_balance, "
            "recovered_amount from {batch} where recovered_amount > placement_balance"
        ),
    ),
]

MART_COLLECTIONS_HOLDER_SCORECARD = [
    _within(
        "numerators_within_denominators",
        "The call funnel nests (call attempts <= attempts ... promises <= right-party contacts), promises kept "
        "<= promises due, complaints and disputes <= all right-party contacts.",
        (
            *_CALL_FUNNEL,
            ("promises_kept", "promises_due"),
            ("complaints", "all_right_party_contacts"),
            ("disputes", "all_right_party_contacts"),
        ),
        "month, holder_id",
    ),
    warning(
        "collected_within_balance_worked",
        "A holder's month collects at most the balance at placement of the placements it worked.",
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query="select month, holder_id, balance_worked, collected_amount from {batch} "
            "where collected_amount > balance_worked"
        ),
    ),
]

MART_COLLECTIONS_COLLECTOR_SCORECARD = [
    _within(
        "numerators_within_denominators",
        "connects <= call attempts, right-party contacts <= connects, promises <= right-party contacts, "
        "promises kept <= promises due.",
        (*_CALL_FUNNEL[1:], ("promises_kept", "promises_due")),
        "month, collector_id, holder_id",
    ),
    *_counts_not_negative("call_attempts", "calling_days", "collected_on_promises"),
]

MART_COLLECTIONS_ENTRY_COHORTS = [
    _within(
        "numerators_within_denominators",
        "Cured plus rolled-back accounts <= the cohort's accounts (a cured account is current, not rolled back).",
        (("cured_accounts + rolled_back_accounts", "entered_accounts"),),
        "business_date, entry_date, horizon_days",
    ),
    *_counts_not_negative("entered_accounts", "balance_at_entry"),
]


# Plan and fee marts (dbt_project/models/marts/plans; definitions in their YAML).
_PLAN_STATUSES_ADD_UP = """
select plan_type, start_month, plans_started, plans_active, plans_completed, plans_broken, plans_cancelled
from {batch}
where plans_active + plans_completed + plans_broken + plans_cancelled <> plans_started
"""

MART_REPAYMENT_PLAN_PERFORMANCE = [
    critical(
        "statuses_add_up",
        "Every plan started is active, completed, broken or cancelled as of the date.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_PLAN_STATUSES_ADD_UP),
    ),
    _within(
        "measured_within_started",
        "Plans measured <= plans started; past due <= measured; 30+ <= past due; cured <= the delinquent "
        "measured at 3 months.",
        (
            ("plans_measured_3m", "plans_started"),
            ("plans_measured_6m", "plans_started"),
            ("plans_past_due_3m", "plans_measured_3m"),
            ("plans_30_plus_3m", "plans_past_due_3m"),
            ("plans_past_due_6m", "plans_measured_6m"),
            ("plans_30_plus_6m", "plans_past_due_6m"),
            ("plans_delinquent_at_start_measured_3m", "plans_measured_3m"),
            ("plans_cured_3m", "plans_delinquent_at_start_measured_3m"),
        ),
        "business_date, plan_type, start_month",
    ),
    *_counts_not_negative("plans_started", "plans_active", "plans_completed", "plans_broken", "plans_cancelled"),
]

_FEE_PARTS = ("interest_amount", "penalty_interest_amount", "late_fee_amount", "annual_fee_amount",
              "instalment_fee_amount", "cash_advance_fee_amount")  # fmt: skip
_FEE_INCOME_ADDS_UP = f"""
select product_code, bucket_code, gross_income_amount, waived_amount, reversed_amount, net_income_amount
from {{batch}}
where gross_income_amount <> {" + ".join(_FEE_PARTS)}
   or net_income_amount <> gross_income_amount - waived_amount - reversed_amount
"""


def _fee_income(period: str) -> list:
    return [
        critical(
            "income_adds_up",
            f"Per {period}, product and bucket: gross income is the sum of the six charge types, and net income "
            "is gross less waived and reversed fees.",
            gxe.UnexpectedRowsExpectation(unexpected_rows_query=_FEE_INCOME_ADDS_UP),
        ),
        *_counts_not_negative(*_FEE_PARTS, "waived_amount", "reversed_amount", "settlement_write_off_amount"),
        warning(
            "returns_within_income",
            f"Fees waived and reversed <= gross income in the {period}. WARNING: a fee posted in an earlier "
            f"{period} may be returned in this one.",
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query="select product_code, bucket_code, gross_income_amount, waived_amount, "
                "reversed_amount from {batch} where waived_amount + reversed_amount > gross_income_amount"
            ),
        ),
    ]


MART_FEE_INCOME_DAILY = _fee_income("day")
MART_FEE_INCOME_MONTHLY = _fee_income("month")
