"""The input contract: what a card platform must deliver for each business date.

One drop per business date in ``<landing>/<YYYY-MM-DD>/``::

    accounts_<YYYYMMDD>.parquet    full snapshot of the book as of the business date
    payments_<YYYYMMDD>.parquet    payments posted that day, each with its effective date (reversals negative)
    customers_<YYYYMMDD>.parquet   customers created or changed that day (all of them on the first day)
    collection_actions_<YYYYMMDD>.parquet      collection actions taken that day (calls, messages, visits...)
    collection_assignments_<YYYYMMDD>.parquet  collection placements created or changed that day
    repayment_plans_<YYYYMMDD>.parquet  repayment plans created or changed that day (all active ones on day 1)
    charges_<YYYYMMDD>.parquet     interest and fees posted that day, and their waivers and reversals
    manifest_<YYYYMMDD>.json       control manifest, written last: its presence means the drop is complete

Parquet rather than gzip CSV: the types travel with the file (no locale/quoting ambiguity for money and
dates), it is ~5x smaller than CSV and DuckDB loads it about twice as fast (README), and a reader can
check the schema before touching a row.

Money is DECIMAL(18,2) everywhere; control totals in the manifest are decimal strings with two places.
This module is the single place that names the columns: the simulator writes them, the landing checks
them, the loader creates ``raw.*`` from them and dbt's sources document them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONEY = "DECIMAL(18,2)"


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: dict[str, str]  # column -> DuckDB type, in file order
    key: tuple[str, ...]  # unique per business date
    control_totals: tuple[str, ...]  # money columns summed into the manifest

    def file_name(self, business_date: dt.date) -> str:
        return f"{self.name}_{business_date:%Y%m%d}.parquet"


ACCOUNTS = Dataset(
    name="accounts",
    columns={
        "business_date": "DATE",
        "account_id": "VARCHAR",
        "customer_id": "VARCHAR",  # primary card holder
        "joint_customer_id": "VARCHAR",  # second liable consumer, NULL for most (-> Metro 2 J1)
        "product_code": "VARCHAR",  # CLASSIC / GOLD / PLATINUM
        "branch_code": "VARCHAR",
        "open_date": "DATE",
        "account_status": "VARCHAR",  # OPEN / CLOSED / CHARGED_OFF / TRANSFERRED
        "status_reason": "VARCHAR",  # why CLOSED/CHARGED_OFF/TRANSFERRED (see STATUS_REASONS), else NULL
        "closed_date": "DATE",
        "charge_off_date": "DATE",
        "charge_off_amount": MONEY,  # original amount charged to loss
        "cycle_day": "INTEGER",  # day of month the statement is cut (1..28)
        "credit_limit": MONEY,
        "current_balance": MONEY,  # negative = credit balance
        "last_statement_date": "DATE",
        "statement_balance": MONEY,
        "minimum_payment_due": MONEY,  # minimum payment of the last statement
        "payment_due_date": "DATE",  # due date of the last statement
        "amount_past_due": MONEY,  # unpaid minimum payments whose due date has passed
        "days_past_due": "INTEGER",  # platform's counter, from the oldest unpaid due date
        "cycles_past_due": "INTEGER",
        "ctd_purchase_amount": MONEY,  # cycle to date, reset at each statement
        "ctd_cash_advance_amount": MONEY,
        "ctd_cash_advance_count": "INTEGER",
        "ctd_payment_amount": MONEY,  # net of reversals
        "last_payment_date": "DATE",  # effective date (when received) of the latest payment
        "last_payment_amount": MONEY,
        "fraud_flag": "BOOLEAN",  # confirmed fraud
        "hardship_flag": "BOOLEAN",  # on a hardship instalment plan
        "dispute_flag": "BOOLEAN",  # consumer dispute under investigation
    },
    key=("account_id",),
    control_totals=("current_balance", "amount_past_due"),
)

PAYMENTS = Dataset(
    name="payments",
    columns={
        "business_date": "DATE",
        "payment_id": "VARCHAR",
        "account_id": "VARCHAR",
        "posting_date": "DATE",  # the day the platform posted it = the drop's business date
        "effective_date": "DATE",  # value date: when the money was received (<= posting_date), see below
        "payment_amount": MONEY,  # positive; REVERSAL rows negative
        "payment_type": "VARCHAR",  # PAYMENT / REVERSAL / RECOVERY
        "payment_channel": "VARCHAR",  # AUTOPAY / ACH / CARD / BRANCH
        "reversal_of_payment_id": "VARCHAR",  # the payment a REVERSAL returns
        "return_reason": "VARCHAR",  # NSF / STOP_PAYMENT / ACCOUNT_CLOSED on reversals
    },
    key=("payment_id",),
    control_totals=("payment_amount",),
)

CUSTOMERS = Dataset(
    name="customers",
    columns={
        "business_date": "DATE",
        "customer_id": "VARCHAR",
        "family_name": "VARCHAR",  # romanized, as keyed in: messy case/whitespace/full-width
        "given_name": "VARCHAR",
        "local_name": "VARCHAR",  # name in Chinese characters where known
        "id_type": "VARCHAR",  # CN_RESIDENT_ID / SSN / PASSPORT
        "id_number": "VARCHAR",  # as keyed in; CN ids may fail the MOD 11-2 check
        "birth_date": "DATE",
        "mobile_phone": "VARCHAR",  # as keyed in; may be malformed
        "address_line1": "VARCHAR",
        "address_line2": "VARCHAR",
        "city": "VARCHAR",
        "state_code": "VARCHAR",  # 2-letter province/state code
        "postal_code": "VARCHAR",
        "updated_at": "TIMESTAMP",  # platform's change time for this version
    },
    key=("customer_id",),
    control_totals=(),
)

# Collections (issue #15). An action is one contact attempt or message of the collections operation, stamped
# with the local time it happened; a placement (assignment) says which holder - an in-house team, an outside
# agency or the legal department (dbt_project/seeds/collection_holders.csv) - works an account from
# valid_from (inclusive) to valid_to (exclusive: the day the next holder takes over or the account leaves
# collections; NULL while open). An assignment is delivered on the day it is created and again, with
# valid_to and close_reason set, on the day it closes: the latest version of an assignment_id is its state.
COLLECTION_ACTIONS = Dataset(
    name="collection_actions",
    columns={
        "business_date": "DATE",
        "action_id": "VARCHAR",
        "account_id": "VARCHAR",
        "action_ts": "TIMESTAMP",  # local time of the action, on the business date
        "channel": "VARCHAR",  # COLLECTION_CHANNELS
        "holder_id": "VARCHAR",  # team, agency or legal holding the account (collection_holders seed)
        "collector_id": "VARCHAR",  # the person (collectors seed); NULL for automated channels
        "outcome": "VARCHAR",  # COLLECTION_OUTCOMES; NULL for one-way channels (ONE_WAY_CHANNELS)
        "talk_seconds": "INTEGER",  # voice channels (VOICE_CHANNELS): 0 when nobody answered; else NULL
        "promised_amount": MONEY,  # PTP only
        "promised_date": "DATE",  # PTP only: the day the customer promised to pay by
    },
    key=("action_id",),
    control_totals=("promised_amount",),
)

COLLECTION_ASSIGNMENTS = Dataset(
    name="collection_assignments",
    columns={
        "business_date": "DATE",
        "assignment_id": "VARCHAR",
        "account_id": "VARCHAR",
        "holder_id": "VARCHAR",  # collection_holders seed
        "valid_from": "DATE",
        "valid_to": "DATE",  # exclusive; NULL while the assignment is open
        "balance_at_placement": MONEY,  # current_balance on the day of placement
        # the platform's days_past_due at placement: dbt buckets it with the dpd_buckets seed (one home)
        "days_past_due_at_placement": "INTEGER",
        "close_reason": "VARCHAR",  # ASSIGNMENT_CLOSE_REASONS when valid_to is set, else NULL
    },
    key=("assignment_id",),
    control_totals=("balance_at_placement",),
)

# Repayment plans (issue #16). A plan is delivered on the day it is created and again on each day its status
# changes (the latest version of a plan_id is its state); on the first business date every active plan is
# delivered. An account holds at most one active plan. The bank's rules for them (hardship re-age, when a plan
# counts as broken) are the seed repayment_plan_policy (creditwh.repayment_plan_policy).
REPAYMENT_PLANS = Dataset(
    name="repayment_plans",
    columns={
        "business_date": "DATE",
        "plan_id": "VARCHAR",
        "account_id": "VARCHAR",
        "plan_type": "VARCHAR",  # PLAN_TYPES
        "start_date": "DATE",
        "term_months": "INTEGER",  # > 0
        "principal_amount": MONEY,  # converted bill / cash lent / balance on a hardship plan / balance settled
        "instalment_amount": MONEY,  # monthly payment agreed (the one payment of a settlement); >= 0
        # yearly rate in percent: the reduced APR of a HARDSHIP plan, the instalment fee (flat on the
        # principal, charged each month as rate / 12) of BILL_ / CASH_INSTALMENT plans; NULL for SETTLEMENT
        "rate_percent": MONEY,
        "amount_waived": MONEY,  # fees waived on a hardship plan, balance written off by a settlement
        "plan_status": "VARCHAR",  # PLAN_STATUSES
        "status_date": "DATE",  # the day the plan entered plan_status
    },
    key=("plan_id",),
    control_totals=("principal_amount", "amount_waived"),
)

# Interest and fee postings as their own dataset rather than columns on the accounts snapshot: the platform
# posts them as transactions (several on one statement cut, a waiver or reversal days later pointing at the
# fee it returns), which is an event log - a snapshot column would hold a net amount per day and lose which
# fee was waived, by which plan, and when. Charges post at the statement cut (interest, fees and the waivers
# and reversals decided since the last cut, netted into the statement as stmt_fees) or, for a settlement's
# write-off, on the day it is paid; so for an account cut today statement_balance = yesterday's
# current_balance + the sum of today's charges (tests/simulate/test_plans.py).
CHARGES = Dataset(
    name="charges",
    columns={
        "business_date": "DATE",
        "charge_id": "VARCHAR",
        "account_id": "VARCHAR",
        "posting_date": "DATE",  # = the drop's business date
        "charge_type": "VARCHAR",  # CHARGE_TYPES
        "charge_amount": MONEY,  # positive; WAIVER and REVERSAL rows negative
        "reverses_charge_id": "VARCHAR",  # the fee a WAIVER or REVERSAL returns (NULL: a settlement write-off)
        "plan_id": "VARCHAR",  # the plan an INSTALMENT_FEE or WAIVER belongs to
    },
    key=("charge_id",),
    control_totals=("charge_amount",),
)

# A payment is posted on the business date of the drop that carries it, but counts from the day the money
# was received (Reg Z 12 CFR 1026.10(a); the platform back-dates interest and delinquency to it): a payment
# made on a weekend or holiday posts on the next banking day, a mailed cheque after lockbox processing.
# effective_date may precede posting_date by at most this many days: the longest bank closure the platform
# meets (Spring Festival or National Day: up to 9 days with the adjoining weekend) plus one processing day,
# which also covers a weekend plus five days of cheque processing. A larger gap is a mis-dated or re-posted
# payment, and the raw gate rejects it.
PAYMENT_MAX_BACKDATE_DAYS = 10

DATASETS: tuple[Dataset, ...] = (
    ACCOUNTS, PAYMENTS, CUSTOMERS, COLLECTION_ACTIONS, COLLECTION_ASSIGNMENTS, REPAYMENT_PLANS, CHARGES
)
BY_NAME = {d.name: d for d in DATASETS}

ACCOUNT_STATUSES = ("OPEN", "CLOSED", "CHARGED_OFF", "TRANSFERRED")
STATUS_REASONS = {
    "CLOSED": ("CUSTOMER_REQUEST", "PAID_OFF", "INACTIVITY", "FRAUD"),
    "CHARGED_OFF": ("DPD_THRESHOLD", "FRAUD"),
    "TRANSFERRED": ("SOLD",),
}
PAYMENT_TYPES = ("PAYMENT", "REVERSAL", "RECOVERY")

COLLECTION_CHANNELS = ("SMS", "IVR", "CALL", "EMAIL", "LETTER", "VISIT", "AGENCY", "LEGAL")
AUTOMATED_CHANNELS = ("SMS", "IVR", "EMAIL", "LETTER")  # no collector: collector_id is NULL
VOICE_CHANNELS = ("IVR", "CALL", "AGENCY")  # calls: talk_seconds is set
ONE_WAY_CHANNELS = ("SMS", "EMAIL", "LETTER", "LEGAL")  # a message or legal step: no outcome
COLLECTION_OUTCOMES = (
    "NO_ANSWER",
    "BUSY",
    "WRONG_PARTY",
    "RPC",  # right-party contact: the liable customer reached, no commitment
    "PTP",  # promise to pay: promised_amount and promised_date set
    "REFUSED",
    "DISPUTE",  # the customer disputes the debt: the platform flags the account
    "COMPLAINT",
    "PAID",  # the customer says the arrears are paid
)
RIGHT_PARTY_OUTCOMES = ("RPC", "PTP", "REFUSED", "DISPUTE", "COMPLAINT", "PAID")
HOLDER_TYPES = ("TEAM", "AGENCY", "LEGAL")
ASSIGNMENT_CLOSE_REASONS = ("CURED", "ESCALATED", "CLOSED", "SOLD", "PAID_OFF")

PLAN_TYPES = ("BILL_INSTALMENT", "CASH_INSTALMENT", "HARDSHIP", "SETTLEMENT")
PLAN_STATUSES = ("ACTIVE", "COMPLETED", "BROKEN", "CANCELLED")
FINAL_PLAN_STATUSES = ("COMPLETED", "BROKEN", "CANCELLED")  # a plan never becomes ACTIVE again
CHARGE_TYPES = (
    "INTEREST",
    "CASH_ADVANCE_FEE",
    "LATE_FEE",  # 违约金
    "PENALTY_INTEREST",  # 罚息
    "ANNUAL_FEE",
    "INSTALMENT_FEE",
    "WAIVER",  # a fee waived (by a plan or on request), or a settlement's balance written off
    "REVERSAL",  # a fee posted in error returned
)
CREDIT_CHARGE_TYPES = ("WAIVER", "REVERSAL")  # negative amounts


def manifest_name(business_date: dt.date) -> str:
    return f"manifest_{business_date:%Y%m%d}.json"


# Manifest (JSON), written after the data files:
# {
#   "business_date": "2026-01-31",
#   "source_system": "cardsim",
#   "files": {
#     "accounts":  {"file": "accounts_20260131.parquet", "records": 5000, "sha256": "…",
#                   "control_totals": {"current_balance": "1234567.89", "amount_past_due": "2345.00"}},
#     "payments":  {…, "control_totals": {"payment_amount": "…"}},
#     "customers": {…, "control_totals": {}}
#   }
# }
