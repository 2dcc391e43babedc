"""Raw suites of the repayment plan and charge datasets (issue #16): is the day's plan and fee activity
complete, coded and consistent with the day's book and with what was loaded before?

Row rules are ``UnexpectedRowsExpectation`` queries selecting the row's key, then the file it came from and
the offending values, so a rejection names the file, the row and the rule. Cross-day rules (a plan coming
back from a final status, a waiver larger than the fee it returns) read only the plans and charges the day's
rows name, so their cost follows the day's rows.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from creditwh.contract import (
    CHARGE_TYPES,
    CHARGES,
    CREDIT_CHARGE_TYPES,
    FINAL_PLAN_STATUSES,
    PLAN_STATUSES,
    PLAN_TYPES,
    REPAYMENT_PLANS,
)
from creditwh.fee_schedule import fee_schedule
from creditwh.quality.severity import critical, warning
from creditwh.quality.suites_collections import FILE, _codes, _not_in_snapshot, load_batch_checks

MAX_RATE_PERCENT = 100  # a yearly rate above this is a unit error (basis points, a fraction keyed as %)

# ---------------------------------------------------------------- raw.load_batches: the manifest vs the rows
PLAN_LOAD_BATCHES = load_batch_checks(
    (REPAYMENT_PLANS, CHARGES), "plan_rows_dated_other_day", "repayment plan and charge"
)

# ---------------------------------------------------------------- raw.repayment_plans
_PLAN_CODES = f"""
with today as (select * from {{batch}})
select t.plan_id, {FILE}, t.plan_type, t.plan_status from today t
where t.plan_type is null or t.plan_type not in ({_codes(PLAN_TYPES)})
   or t.plan_status is null or t.plan_status not in ({_codes(PLAN_STATUSES)})
"""

_TERM_NOT_POSITIVE = f"""
with today as (select * from {{batch}})
select t.plan_id, {FILE}, t.plan_type, t.term_months from today t
where t.term_months is null or t.term_months <= 0
"""

_NEGATIVE_AMOUNT = f"""
with today as (select * from {{batch}})
select t.plan_id, {FILE}, t.principal_amount, t.instalment_amount, t.amount_waived from today t
where t.principal_amount < 0 or t.instalment_amount < 0 or t.amount_waived < 0
"""

_BAD_RATE = f"""
with today as (select * from {{batch}})
select t.plan_id, {FILE}, t.plan_type, t.rate_percent from today t
where (t.plan_type = 'SETTLEMENT') <> (t.rate_percent is null)
   or t.rate_percent < 0 or t.rate_percent > {MAX_RATE_PERCENT}
"""

_BAD_PLAN_DATES = f"""
with today as (select * from {{batch}})
select t.plan_id, {FILE}, t.start_date, t.plan_status, t.status_date, t.business_date from today t
where t.start_date > t.business_date or t.status_date < t.start_date or t.status_date > t.business_date
"""

# A final status is final: the latest version loaded on an earlier day of a plan in COMPLETED, BROKEN or
# CANCELLED may not be followed by another status (COMPLETED back to ACTIVE is a re-keyed or replayed plan).
_FINAL_STATUS_CHANGED = f"""
with today as (select * from {{batch}}),
earlier as (
    select e.plan_id, e.plan_status, e.business_date
    from raw.repayment_plans e
    where e.business_date < (select max(business_date) from today)
      and e.plan_id in (select plan_id from today)
    qualify row_number() over (partition by e.plan_id order by e.business_date desc) = 1
)
select t.plan_id, {FILE}, e.plan_status as earlier_status, e.business_date as earlier_date,
       t.plan_status
from today t join earlier e on e.plan_id = t.plan_id
where e.plan_status in ({_codes(FINAL_PLAN_STATUSES)}) and t.plan_status <> e.plan_status
"""

_PLAN_REQUIRED = ("plan_id", "account_id", "business_date", "start_date", "principal_amount",
                  "instalment_amount", "amount_waived", "status_date")  # fmt: skip

RAW_REPAYMENT_PLANS = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in _PLAN_REQUIRED
    ),
    critical(
        "one_row_per_plan",
        "plan_id is unique within the day (a plan changed twice in a day is delivered once, as it ends).",
        gxe.ExpectColumnValuesToBeUnique(column="plan_id"),
    ),
    critical(
        "plan_account_in_snapshot",
        "Every plan is for an account in the day's accounts snapshot.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_not_in_snapshot("plan_id")),
    ),
    critical(
        "plan_codes_known",
        f"plan_type is one of {', '.join(PLAN_TYPES)}; plan_status one of {', '.join(PLAN_STATUSES)}.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_PLAN_CODES),
    ),
    critical(
        "plan_term_positive",
        "term_months is at least 1 (a term of zero months has no instalment to pay).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_TERM_NOT_POSITIVE),
    ),
    critical(
        "plan_amounts_not_negative",
        "principal_amount, instalment_amount and amount_waived are zero or more.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_NEGATIVE_AMOUNT),
    ),
    critical(
        "plan_rate_valid",
        f"rate_percent is between 0 and {MAX_RATE_PERCENT}, set on every plan but a SETTLEMENT.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_BAD_RATE),
    ),
    critical(
        "plan_dates_valid",
        "start_date <= status_date <= business date.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_BAD_PLAN_DATES),
    ),
    critical(
        "plan_final_status_kept",
        f"A plan whose latest earlier status is final ({', '.join(FINAL_PLAN_STATUSES)}) keeps it (e.g. "
        "never goes from COMPLETED back to ACTIVE).",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_FINAL_STATUS_CHANGED),
    ),
]

# ---------------------------------------------------------------- raw.charges
_CHARGE_TYPE_UNKNOWN = f"""
with today as (select * from {{batch}})
select t.charge_id, {FILE}, t.charge_type from today t
where t.charge_type is null or t.charge_type not in ({_codes(CHARGE_TYPES)})
"""

_CHARGE_SIGN = f"""
with today as (select * from {{batch}})
select t.charge_id, {FILE}, t.charge_type, t.charge_amount from today t
where (t.charge_type in ({_codes(CREDIT_CHARGE_TYPES)})) <> (t.charge_amount < 0) or t.charge_amount = 0
"""

_CHARGE_OTHER_DAY = f"""
with today as (select * from {{batch}})
select t.charge_id, {FILE}, t.posting_date, t.business_date from today t
where t.posting_date is distinct from t.business_date
"""

_RETURN_TARGET = f"""
with today as (select * from {{batch}})
select t.charge_id, {FILE}, t.charge_type, t.reverses_charge_id, t.plan_id from today t
where (t.charge_type = 'REVERSAL' and t.reverses_charge_id is null)
   or (t.charge_type = 'WAIVER' and t.reverses_charge_id is null and t.plan_id is null)
   or (t.charge_type not in ({_codes(CREDIT_CHARGE_TYPES)}) and t.reverses_charge_id is not null)
"""

# A waiver or reversal returns at most the fee it names: the fee (loaded today or earlier) is a charge of the
# same account, not itself a return, and all its returns together (today's and earlier ones) stay within it.
_RETURN_EXCEEDS_FEE = f"""
with today as (select * from {{batch}}),
fees as (
    select c.charge_id, c.account_id, c.charge_type, c.charge_amount
    from raw.charges c
    where c.charge_id in (select reverses_charge_id from today)
      and c.business_date <= (select max(business_date) from today)
    qualify row_number() over (partition by c.charge_id order by c.business_date desc) = 1
),
returned as (
    select c.reverses_charge_id, -sum(c.charge_amount) as returned_amount
    from raw.charges c
    where c.reverses_charge_id in (select reverses_charge_id from today)
      and c.business_date <= (select max(business_date) from today)
    group by all
)
select t.charge_id, {FILE}, t.charge_type, t.charge_amount, t.reverses_charge_id,
       f.charge_type as fee_type, f.charge_amount as fee_amount, r.returned_amount
from today t
left join fees f on f.charge_id = t.reverses_charge_id
left join returned r on r.reverses_charge_id = t.reverses_charge_id
where t.reverses_charge_id is not null
  and (f.charge_id is null or f.account_id <> t.account_id
       or f.charge_type in ({_codes(CREDIT_CHARGE_TYPES)}) or r.returned_amount > f.charge_amount)
"""

# The plan an instalment fee or a waiver names is a plan of the same account, delivered today or earlier.
_PLAN_UNKNOWN = f"""
with today as (select * from {{batch}}),
plans as (
    select distinct p.plan_id, p.account_id
    from raw.repayment_plans p
    where p.plan_id in (select plan_id from today)
      and p.business_date <= (select max(business_date) from today)
)
select t.charge_id, {FILE}, t.charge_type, t.plan_id, t.account_id from today t
where (t.charge_type = 'INSTALMENT_FEE' and t.plan_id is null)
   or (t.plan_id is not null and not exists (
        select 1 from plans p where p.plan_id = t.plan_id and p.account_id = t.account_id))
"""

# Flat fees above the bank's published schedule (seed fee_schedule): a mis-keyed fee, or a fee the bank may not
# charge. A warning: the charge did post on the platform, and compliance decides the refund.
_FLAT_FEES = ("LATE_FEE", "ANNUAL_FEE")
_FEE_ABOVE_SCHEDULE = f"""
with today as (select * from {{batch}})
select t.charge_id, {FILE}, t.charge_type, t.charge_amount from today t
where {" or ".join(
    f"(t.charge_type = '{kind}' and t.charge_amount > {fee_schedule().amount(kind)})" for kind in _FLAT_FEES
)}
"""

RAW_CHARGES = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in ("charge_id", "account_id", "business_date", "charge_amount")
    ),
    critical(
        "one_row_per_charge",
        "charge_id is unique within the day.",
        gxe.ExpectColumnValuesToBeUnique(column="charge_id"),
    ),
    critical(
        "charge_account_in_snapshot",
        "Every charge is for an account in the day's accounts snapshot.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_not_in_snapshot("charge_id")),
    ),
    critical(
        "charge_type_known",
        f"charge_type is one of {', '.join(CHARGE_TYPES)}.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_CHARGE_TYPE_UNKNOWN),
    ),
    critical(
        "charge_sign",
        f"{' and '.join(CREDIT_CHARGE_TYPES)} amounts are negative, every other charge positive.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_CHARGE_SIGN),
    ),
    critical(
        "charge_posted_on_business_date",
        "posting_date is the business date of the drop.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_CHARGE_OTHER_DAY),
    ),
    critical(
        "charge_return_has_target",
        "A REVERSAL names the fee it returns, a WAIVER the fee or the plan writing the balance off; other "
        "charges return nothing.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_RETURN_TARGET),
    ),
    critical(
        "charge_return_within_fee",
        "A waiver or reversal returns a fee of the same account loaded today or earlier, and the fee's "
        "returns together are no larger than the fee.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_RETURN_EXCEEDS_FEE),
    ),
    critical(
        "charge_plan_known",
        "An INSTALMENT_FEE names its plan; a charge naming a plan names one of the same account, delivered "
        "today or earlier.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_PLAN_UNKNOWN),
    ),
    warning(
        "flat_fee_within_schedule",
        f"{' and '.join(_FLAT_FEES)} are no larger than the bank's fee schedule (seed fee_schedule: "
        + ", ".join(f"{kind} {fee_schedule().amount(kind)}" for kind in _FLAT_FEES)
        + "). WARNING: the fee posted on the platform; compliance decides the refund.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_FEE_ABOVE_SCHEDULE),
    ),
]
