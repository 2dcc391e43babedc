"""Raw completeness suites: is the day's snapshot complete and plausible before dbt builds on it?

One suite per raw table; each runs on that table's batch for the business date (``{batch}`` in the SQL
below is GX's partition of the table for the date, evaluated inside DuckDB). Cross-table and cross-day rules
are ``UnexpectedRowsExpectation`` queries: they return the offending rows, which become the sample in the
gate's error message, so every query selects the row's key first.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from creditwh.contract import ACCOUNT_STATUSES, PAYMENT_MAX_BACKDATE_DAYS, PAYMENT_TYPES, STATUS_REASONS
from creditwh.quality.severity import critical, warning
from creditwh.repayment_plan_policy import REAGE_RULES, repayment_plan_policy
from creditwh.repayment_policy import repayment_policy

# A balance beyond these is a unit or parsing error (cents as units, a shifted decimal), not a customer.
MAX_ABS_BALANCE = 10_000_000
MAX_CREDIT_LIMIT = 10_000_000
# The bank's tolerance and grace period (seed repayment_policy.csv): written into the rules below, so the
# expectations are regenerated when the seed changes.
POLICY = repayment_policy()
# The bank's plan policy (seed repayment_plan_policy.csv): its re-age rule shapes dpd_continuity, likewise.
PLAN_POLICY = repayment_plan_policy()

# ---------------------------------------------------------------- raw.load_batches: the manifest vs the rows
_MANIFEST_VS_ROWS = """
with load_batch as (select * from {{batch}}),
actual as (
    select count(*) as records{sums}
    from raw.{table} t
    where t.business_date = (select business_date from load_batch)
),
claimed as (
    select business_date, batch_id, {records_column} as records{claimed_sums}
    from load_batch
)
select claimed.business_date, claimed.batch_id,
       claimed.records as manifest_records, actual.records as loaded_records{select_sums}
from claimed cross join actual
where claimed.records <> actual.records{where_sums}
"""


def _manifest_query(table: str, money: tuple[str, ...]) -> str:
    return _MANIFEST_VS_ROWS.format(
        table=table,
        records_column=f"{table}_records",
        sums="".join(f", coalesce(sum(t.{c}), 0)::decimal(38,2) as {c}" for c in money),
        claimed_sums="".join(
            f", json_extract_string(manifest, '$.files.{table}.control_totals.{c}')::decimal(38,2) as {c}"
            for c in money
        ),
        select_sums="".join(f", claimed.{c} as manifest_{c}, actual.{c} as loaded_{c}" for c in money),
        where_sums="".join(f" or claimed.{c} is distinct from actual.{c}" for c in money),
    )


_ROWS_DATED_ELSEWHERE = """
with load_batch as (select * from {batch})
select 'accounts' as table_name, a.account_id as row_key, a.business_date
from raw.accounts a, load_batch where a._batch_id = load_batch.batch_id and a.business_date <> load_batch.business_date
union all
select 'payments', p.payment_id, p.business_date
from raw.payments p, load_batch where p._batch_id = load_batch.batch_id and p.business_date <> load_batch.business_date
union all
select 'customers', c.customer_id, c.business_date
from raw.customers c, load_batch where c._batch_id = load_batch.batch_id and c.business_date <> load_batch.business_date
"""

_MANIFEST_FOR_OTHER_DAY = """
select batch_id, business_date, json_extract_string(manifest, '$.business_date') as manifest_business_date
from {batch}
where json_extract_string(manifest, '$.business_date') is distinct from strftime(business_date, '%Y-%m-%d')
"""

RAW_LOAD_BATCHES = [
    critical(
        "load_batch_recorded",
        "Exactly one load batch is recorded for the business date.",
        gxe.ExpectTableRowCountToEqual(value=1),
    ),
    critical(
        "manifest_for_business_date",
        "The stored manifest is the one for this business date.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_MANIFEST_FOR_OTHER_DAY),
    ),
    critical(
        "accounts_match_manifest",
        "raw.accounts for the day has the manifest's record count, sum(current_balance) and "
        "sum(amount_past_due).",
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=_manifest_query("accounts", ("current_balance", "amount_past_due"))
        ),
    ),
    critical(
        "payments_match_manifest",
        "raw.payments for the day has the manifest's record count and sum(payment_amount).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_manifest_query("payments", ("payment_amount",))),
    ),
    critical(
        "customers_match_manifest",
        "raw.customers for the day has the manifest's record count.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_manifest_query("customers", ())),
    ),
    critical(
        "rows_dated_other_day",
        "Every row loaded by this batch carries the batch's business date (a row of another day "
        "would silently land in that day's partition).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ROWS_DATED_ELSEWHERE),
    ),
]

# ---------------------------------------------------------------- raw.accounts
# The day's accounts snapshot (the batch's date; `today` is the batch), for rules of other tables that look an
# account up in it. Compared with one date, business_date lets DuckDB read that day's row groups only; a join on
# each row's own date would read every day's.
TODAYS_ACCOUNTS = """
todays_accounts as materialized (
    select a.account_id, a.open_date from raw.accounts a where a.business_date = (select max(business_date) from today)
)"""
# Yesterday = the previous loaded business date (weekends, holidays and gaps are allowed). raw.load_batches
# holds one row per date whose rows are in raw.* (creditwh.load.batches), so the date is looked up there, not
# in raw.accounts; and yesterday's rows are materialised first, on the date alone, so DuckDB reads one day's
# row groups (joined on account_id first, it would read every account's whole history): the rule's cost
# follows the day, not the history.
_PREVIOUS_DAY = """
today as (select * from {batch}),
dates as (
    select d.business_date as today_date,
           (select max(b.business_date) from raw.load_batches b where b.business_date < d.business_date)
               as prev_date
    from (select distinct business_date from today) d
),
yesterday as materialized (
    select p.account_id, p.account_status, p.current_balance, p.days_past_due
    from raw.accounts p join dates on p.business_date = dates.prev_date
)"""

# Snapshot rule: OPEN accounts appear every day; CLOSED / TRANSFERRED appear once with that status and then
# leave; CHARGED_OFF accounts keep appearing while their balance is > 0 (a charged-off account reported
# with a zero or credit balance may leave the next day). Only checkable against the day before: when days
# in between are not loaded (a gap, or a day the gate rejected) an account may have closed on one of them,
# so across a gap a disappearance is only a warning.
_DISAPPEARED = (
    "with"
    + _PREVIOUS_DAY
    + """
select y.account_id, y.account_status as status_yesterday, y.current_balance as balance_yesterday,
       dates.prev_date, dates.today_date
from yesterday y cross join dates
where not exists (select 1 from today t where t.account_id = y.account_id)
  and (y.account_status = 'OPEN' or (y.account_status = 'CHARGED_OFF' and y.current_balance > 0))
  and dates.today_date - dates.prev_date {elapsed}
"""
)

# DPD continuity (docs/domain.md §2): DPD(t) = t - oldest overdue due date (its grace run out), or 0. Between
# two snapshots e days apart, for an account OPEN on both:
#   * yesterday DPD > 0: without a payment the oldest unpaid due date stays, so DPD = DPD_prev + e exactly;
#     a payment can move that date forward (partial or full cure), so DPD may then be anything in [0, DPD_prev + e].
#   * yesterday DPD = 0: every due date whose grace had run out was paid (or tolerated), so only a due date
#     whose grace ran out in between can start DPD, counted from that due date: 0, or grace < DPD <= grace + e.
#   * a REVERSAL re-opens a due date the reversed payment had covered, so DPD may then jump above that bound.
# (That DPD never takes the values 1..grace is the row rule dpd_not_within_grace.)
# Payments "in between" are the postings after yesterday's snapshot up to today in raw.payments. The cadence
# is the gap e itself (docs/domain.md §2 "Drop cadence"): on consecutive days (e = 1) raw.payments holds every
# posting, the strict daily rule. Across a gap (a month-end-only history, a day not loaded) the postings of
# the days in between are not there, so the snapshot's own evidence counts: a last_payment_date after
# yesterday minus the back-dating window (a payment posted in the gap may be effective up to
# PAYMENT_MAX_BACKDATE_DAYS before its posting) is a payment, and a payment is also what an unseen reversal
# may have returned, so it admits a jump above the bound too. Still impossible across a gap: DPD falling, or
# rising past the bound, on an account with no payment anywhere near the gap.
# Re-age STOP (seed repayment_plan_policy): while an account is on an ACTIVE HARDSHIP plan the platform freezes
# DPD, so DPD equal to yesterday's needs no payment then. The plan is the latest version on or before today
# (raw.repayment_plans holds a row per day a plan is created or changed). Only the accounts that would
# otherwise fail are looked up, so the cost follows the day's rows, not every account's plan history.
_FROZEN_BY_PLAN = """,
frozen as (
    select account_id from compared
    where dpd_yesterday > 0 and dpd_today = dpd_yesterday and not paid
),
on_hardship as (
    select plan.account_id
    from raw.repayment_plans plan
    join frozen f on f.account_id = plan.account_id
    cross join dates
    where plan.business_date <= dates.today_date and plan.plan_type = 'HARDSHIP'
    qualify row_number() over (partition by plan.plan_id order by plan.business_date desc) = 1
        and (plan.plan_status = 'ACTIVE' or plan.status_date = dates.today_date)  -- kept until it ended today
)"""
_FROZEN_EXCUSED = """
       and not exists (select 1 from on_hardship h where h.account_id = compared.account_id)"""

_DPD_JUMP_TEMPLATE = (
    "with"
    + _PREVIOUS_DAY
    + """,
postings as (
    select p.account_id,
           bool_or(p.payment_amount > 0) as paid,
           bool_or(p.payment_type = 'REVERSAL') as reversed
    from raw.payments p cross join dates
    where p.business_date > dates.prev_date and p.business_date <= dates.today_date
    group by p.account_id
),
across_gap as (
    select t.account_id,
           dates.today_date - dates.prev_date > 1
           and coalesce(t.last_payment_date > dates.prev_date - {backdate}, false) as paid_in_gap
    from today t cross join dates
),
compared as (
    select t.account_id, regexp_extract(t._source_file, '[^/]+$') as file,
           y.days_past_due as dpd_yesterday, t.days_past_due as dpd_today,
           dates.today_date - dates.prev_date as elapsed_days,
           coalesce(po.paid, false) or coalesce(t.last_payment_date > dates.prev_date, false)
               or g.paid_in_gap as paid,
           coalesce(po.reversed, false) or g.paid_in_gap as reversed
    from today t
    join across_gap g on g.account_id = t.account_id
    join yesterday y on y.account_id = t.account_id
    cross join dates
    left join postings po on po.account_id = t.account_id
    where t.account_status = 'OPEN' and y.account_status = 'OPEN'
){frozen_ctes}
select account_id, file, dpd_yesterday, dpd_today, elapsed_days, paid, reversed
from compared
where (dpd_today > case when dpd_yesterday > 0 then dpd_yesterday + elapsed_days
                        else {grace} + elapsed_days end
       and not reversed)
   or (dpd_yesterday > 0 and dpd_today < dpd_yesterday + elapsed_days and not paid{frozen_excused})
"""
)


def dpd_jump_query(reage: str) -> str:
    """The dpd_continuity query under the plan policy's re-age rule (RESET: the rule without plans)."""
    if reage not in REAGE_RULES:
        raise ValueError(f"unknown hardship re-age rule {reage!r} (one of {', '.join(REAGE_RULES)})")
    stop = reage == "STOP"
    return (
        _DPD_JUMP_TEMPLATE.replace("{frozen_ctes}", _FROZEN_BY_PLAN if stop else "")
        .replace("{frozen_excused}", _FROZEN_EXCUSED if stop else "")
        .replace("{grace}", str(POLICY.grace_days))
        .replace("{backdate}", str(int(PAYMENT_MAX_BACKDATE_DAYS)))
    )


# dpd_continuity's description: RESET adds nothing (its expectation stays as it was).
_DPD_FROZEN_NOTE = {
    "RESET": "",
    "STOP": " Re-age STOP: while the account's latest version of a HARDSHIP plan (raw.repayment_plans) is "
    "ACTIVE, or ended that day, DPD may also stay at the previous loaded day's value without a payment "
    "(frozen).",
}

_OPEN_WITHOUT_LIMIT = """
select account_id, account_status, credit_limit from {batch}
where account_status = 'OPEN' and (credit_limit is null or credit_limit <= 0)
"""

_DATES_AFTER_BUSINESS_DATE = """
select account_id, business_date, open_date, closed_date, charge_off_date, last_statement_date, last_payment_date
from {batch}
where open_date > business_date or closed_date > business_date or charge_off_date > business_date
   or last_statement_date > business_date or last_payment_date > business_date
"""

# The policy on each row: past due only for more than the tolerance, and never during the grace days.
_DPD_AT_OR_UNDER_TOLERANCE = """
select account_id, days_past_due, amount_past_due from {batch}
where days_past_due > 0 and coalesce(amount_past_due, 0) <= {tolerance}
""".replace("{tolerance}", str(POLICY.tolerance_amount))

_DPD_WITHIN_GRACE = """
select account_id, days_past_due from {batch}
where days_past_due between 1 and {grace}
""".replace("{grace}", str(POLICY.grace_days))

_PAST_DUE_WITHOUT_DPD = """
select account_id, amount_past_due, days_past_due from {batch}
where amount_past_due > 0 and days_past_due = 0
"""

_REASON_NOT_FOR_STATUS = (
    "select account_id, account_status, status_reason from {batch}\nwhere "
    + " or ".join(
        [
            f"(account_status = '{status}' and coalesce(status_reason, '') not in ({', '.join(repr(r) for r in reasons)}))"
            for status, reasons in STATUS_REASONS.items()
        ]
        + ["(account_status = 'OPEN' and status_reason is not null)"]
    )
)

_CUSTOMER_UNKNOWN = """
with today as (select * from {batch})
select t.account_id, t.customer_id from today t
where not exists (select 1 from raw.customers c where c.customer_id = t.customer_id and c.business_date <= t.business_date)
"""

RAW_ACCOUNTS = [
    *(
        critical(
            f"not_null_{c}", f"Key column {c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c)
        )
        for c in ("account_id", "customer_id", "business_date", "account_status")
    ),
    *(
        critical(
            f"not_null_{c}",
            f"{c} is present on every account (control totals and buckets need it).",
            gxe.ExpectColumnValuesToNotBeNull(column=c),
        )
        for c in ("current_balance", "amount_past_due", "days_past_due", "cycles_past_due")
    ),
    critical(
        "one_row_per_account",
        "One row per account per business date.",
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
    ),
    critical(
        "account_status_known",
        "account_status is one of the contract's statuses.",
        gxe.ExpectColumnValuesToBeInSet(column="account_status", value_set=list(ACCOUNT_STATUSES)),
    ),
    critical(
        "no_unexplained_disappearance",
        "Every account OPEN (or CHARGED_OFF with a balance) yesterday is in today's snapshot; only "
        "CLOSED/TRANSFERRED rows (and charged-off rows paid down to zero) may leave.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_DISAPPEARED.replace("{elapsed}", "= 1")),
    ),
    warning(
        "no_unexplained_disappearance_across_gap",
        "As no_unexplained_disappearance, when the previous loaded day is not the day before. WARNING: the "
        "account may have closed on a day in between that is not loaded.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_DISAPPEARED.replace("{elapsed}", "> 1")),
    ),
    critical(
        "dpd_continuity",
        "Day over day, DPD rises by exactly the elapsed days; it drops only after a payment; from 0 it "
        f"stays 0 or starts past the {POLICY.grace_days} grace days (at most grace + the elapsed days); a "
        "larger jump needs a reversal. Across a gap (e.g. month-end drops) a last_payment_date within "
        f"{int(PAYMENT_MAX_BACKDATE_DAYS)} days before the previous loaded date or later stands for the "
        "postings not delivered, and for a reversal of one." + _DPD_FROZEN_NOTE[PLAN_POLICY.hardship_reage],
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=dpd_jump_query(PLAN_POLICY.hardship_reage)),
    ),
    critical(
        "past_due_above_tolerance",
        f"days_past_due > 0 only when amount_past_due exceeds the tolerance ({POLICY.tolerance_amount}): at or "
        "under it the account counts as paid (seed repayment_policy, docs/domain.md §2).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_DPD_AT_OR_UNDER_TOLERANCE),
    ),
    critical(
        "dpd_not_within_grace",
        f"days_past_due is never 1..{POLICY.grace_days}: a payment within the grace days counts as on time, "
        "after them DPD counts from the due date (seed repayment_policy, docs/domain.md §2).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_DPD_WITHIN_GRACE),
    ),
    critical(
        "dpd_not_negative",
        "days_past_due >= 0.",
        gxe.ExpectColumnValuesToBeBetween(column="days_past_due", min_value=0),
    ),
    critical(
        "cycles_past_due_not_negative",
        "cycles_past_due >= 0.",
        gxe.ExpectColumnValuesToBeBetween(column="cycles_past_due", min_value=0),
    ),
    critical(
        "open_account_has_limit",
        "credit_limit > 0 on every OPEN account.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_OPEN_WITHOUT_LIMIT),
    ),
    critical(
        "balance_within_bounds",
        f"|current_balance| <= {MAX_ABS_BALANCE:,}.",
        gxe.ExpectColumnValuesToBeBetween(
            column="current_balance", min_value=-MAX_ABS_BALANCE, max_value=MAX_ABS_BALANCE
        ),
    ),
    critical(
        "past_due_within_bounds",
        f"0 <= amount_past_due <= {MAX_ABS_BALANCE:,}.",
        gxe.ExpectColumnValuesToBeBetween(column="amount_past_due", min_value=0, max_value=MAX_ABS_BALANCE),
    ),
    critical(
        "credit_limit_within_bounds",
        f"credit_limit <= {MAX_CREDIT_LIMIT:,}.",
        gxe.ExpectColumnValuesToBeBetween(column="credit_limit", min_value=0, max_value=MAX_CREDIT_LIMIT),
    ),
    critical(
        "no_dates_after_business_date",
        "open/closed/charge-off/statement/last-payment dates are not after the business date.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_DATES_AFTER_BUSINESS_DATE),
    ),
    warning(
        "past_due_matches_dpd",
        "amount_past_due > 0 only when days_past_due > 0 (the converse is the critical "
        "past_due_above_tolerance). WARNING: a platform may report an amount still within its grace days "
        "as past due.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_PAST_DUE_WITHOUT_DPD),
    ),
    warning(
        "status_reason_fits_status",
        "status_reason is one of the reasons allowed for the status, and empty on OPEN accounts.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_REASON_NOT_FOR_STATUS),
    ),
    warning(
        "customer_known",
        "The account's customer has been delivered in raw.customers. WARNING: the customer feed only "
        "carries changes, so a warehouse started mid-history may lack old customers.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_CUSTOMER_UNKNOWN),
    ),
]

# ---------------------------------------------------------------- raw.payments
_POSTING_DATE_OTHER_DAY = """
select payment_id, account_id, posting_date, business_date from {batch}
where posting_date is distinct from business_date
"""

# Back-dating window (contract.PAYMENT_MAX_BACKDATE_DAYS). The open date comes from the same day's snapshot
# (open_date never changes); an account missing from it is payment_account_known's finding.
_EFFECTIVE_DATE_OUT_OF_WINDOW = (
    """
with today as (select * from {batch}),"""
    + TODAYS_ACCOUNTS
    + """
select t.payment_id, t.account_id, t.effective_date, t.posting_date, a.open_date
from today t
left join todays_accounts a on a.account_id = t.account_id
where t.effective_date > t.posting_date
   or t.effective_date < t.posting_date - """
    + str(int(PAYMENT_MAX_BACKDATE_DAYS))
    + """
   or t.effective_date < a.open_date
"""
)

# Known = in any snapshot up to today. Today's snapshot is asked first; only the payments it lacks (none on a
# normal day) are looked up in the earlier days, so the history is not read when there is nothing to find.
_ORPHAN_PAYMENT = (
    """
with today as (select * from {batch}),"""
    + TODAYS_ACCOUNTS
    + """,
not_today as materialized (
    select t.* from today t where not exists (select 1 from todays_accounts a where a.account_id = t.account_id)
)
select t.payment_id, t.account_id from not_today t
where not exists (
    select 1 from raw.accounts a where a.account_id = t.account_id and a.business_date < t.business_date
)
"""
)

_WRONG_SIGN = """
select payment_id, account_id, payment_type, payment_amount from {batch}
where (payment_type = 'REVERSAL' and payment_amount >= 0)
   or (payment_type in ('PAYMENT', 'RECOVERY') and payment_amount <= 0)
"""

_REVERSAL_WITHOUT_ORIGINAL = """
with today as (select * from {batch})
select t.payment_id, t.account_id, t.reversal_of_payment_id from today t
where t.payment_type = 'REVERSAL'
  and not exists (
    select 1 from raw.payments p
    where p.payment_id = t.reversal_of_payment_id and p.payment_type = 'PAYMENT'
      and p.account_id = t.account_id and p.business_date <= t.business_date
  )
"""

RAW_PAYMENTS = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in (
            "payment_id",
            "account_id",
            "business_date",
            "posting_date",
            "effective_date",
            "payment_amount",
            "payment_type",
        )
    ),
    critical(
        "one_row_per_payment",
        "payment_id is unique within the day.",
        gxe.ExpectColumnValuesToBeUnique(column="payment_id"),
    ),
    critical(
        "payment_type_known",
        "payment_type is PAYMENT, REVERSAL or RECOVERY.",
        gxe.ExpectColumnValuesToBeInSet(column="payment_type", value_set=list(PAYMENT_TYPES)),
    ),
    critical(
        "posting_date_is_business_date",
        "Payments are the day's postings: posting_date = business date.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_POSTING_DATE_OTHER_DAY),
    ),
    critical(
        "effective_date_within_backdating_window",
        f"effective_date (when the money was received) is on or before posting_date, at most "
        f"{PAYMENT_MAX_BACKDATE_DAYS} days earlier (weekends, bank holidays, cheque processing), and not "
        "before the account's open date.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_EFFECTIVE_DATE_OUT_OF_WINDOW),
    ),
    critical(
        "payment_account_known",
        "Every payment references an account known in raw.accounts.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ORPHAN_PAYMENT),
    ),
    critical(
        "payment_sign_fits_type",
        "PAYMENT/RECOVERY rows are positive, REVERSAL rows negative.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_WRONG_SIGN),
    ),
    critical(
        "payment_amount_within_bounds",
        f"|payment_amount| <= {MAX_ABS_BALANCE:,}.",
        gxe.ExpectColumnValuesToBeBetween(
            column="payment_amount", min_value=-MAX_ABS_BALANCE, max_value=MAX_ABS_BALANCE
        ),
    ),
    warning(
        "reversal_references_payment",
        "A REVERSAL returns an earlier PAYMENT of the same account. WARNING: the original may predate the "
        "first day loaded into this warehouse.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_REVERSAL_WITHOUT_ORIGINAL),
    ),
]

# ---------------------------------------------------------------- raw.customers
RAW_CUSTOMERS = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in ("customer_id", "business_date")
    ),
    critical(
        "one_row_per_customer",
        "One version per customer per business date.",
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
    ),
    warning(
        "customer_has_id_number",
        "Customers carry an identification number (bureau reporting needs it).",
        gxe.ExpectColumnValuesToNotBeNull(column="id_number", mostly=0.99),
    ),
]
