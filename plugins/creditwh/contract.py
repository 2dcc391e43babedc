"""The input contract: what a card platform must deliver for each business date.

One drop per business date in ``<landing>/<YYYY-MM-DD>/``::

    accounts_<YYYYMMDD>.parquet    full snapshot of the book as of the business date
    payments_<YYYYMMDD>.parquet    payments posted that day, each with its effective date (reversals negative)
    customers_<YYYYMMDD>.parquet   customers created or changed that day (all of them on the first day)
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

# A payment is posted on the business date of the drop that carries it, but counts from the day the money
# was received (Reg Z 12 CFR 1026.10(a); the platform back-dates interest and delinquency to it): a payment
# made on a weekend or holiday posts on the next banking day, a mailed cheque after lockbox processing.
# effective_date may precede posting_date by at most this many days: the longest bank closure the platform
# meets (Spring Festival or National Day: up to 9 days with the adjoining weekend) plus one processing day,
# which also covers a weekend plus five days of cheque processing. A larger gap is a mis-dated or re-posted
# payment, and the raw gate rejects it.
PAYMENT_MAX_BACKDATE_DAYS = 10

DATASETS: tuple[Dataset, ...] = (ACCOUNTS, PAYMENTS, CUSTOMERS)
BY_NAME = {d.name: d for d in DATASETS}

ACCOUNT_STATUSES = ("OPEN", "CLOSED", "CHARGED_OFF", "TRANSFERRED")
STATUS_REASONS = {
    "CLOSED": ("CUSTOMER_REQUEST", "PAID_OFF", "INACTIVITY", "FRAUD"),
    "CHARGED_OFF": ("DPD_THRESHOLD", "FRAUD"),
    "TRANSFERRED": ("SOLD",),
}
PAYMENT_TYPES = ("PAYMENT", "REVERSAL", "RECOVERY")


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
