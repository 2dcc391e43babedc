"""What each gate validates: one validation definition per (table, suite), grouped into two checkpoints.

This is the source the committed GX project under ``expectations/`` is generated from
(``python -m creditwh.quality.project``); the gate itself reads the committed project.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations.expectations as gxe

from creditwh.quality import suites_collections, suites_marts, suites_plans, suites_raw
from creditwh.quality.severity import critical

DATASOURCE = "warehouse"
BATCH_DEFINITION = "daily"


@dataclass(frozen=True)
class Check:
    """A suite run on one table's partition for the business date."""

    suite: str  # also the name of the validation definition
    table: str  # schema.table in the warehouse
    expectations: list
    key_columns: tuple[str, ...]  # shown with failing values in error messages
    date_column: str = "business_date"
    # A table that does not exist (yet) fails the gate unless optional; a date without rows fails unless
    # may_be_empty (a day may have no payments, no customer changes, or not be a month end).
    optional: bool = False
    may_be_empty: bool = False

    @property
    def schema(self) -> str:
        return self.table.split(".")[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".")[1]

    @property
    def asset(self) -> str:
        return self.table.replace(".", "_")


@dataclass(frozen=True)
class Gate:
    name: str  # also the checkpoint name
    checks: tuple[Check, ...]


RAW_GATE = Gate(
    name="raw_gate",
    checks=(
        Check(
            "raw_load_batches",
            "raw.load_batches",
            [
                *suites_raw.RAW_LOAD_BATCHES,
                *suites_collections.COLLECTION_LOAD_BATCHES,
                *suites_plans.PLAN_LOAD_BATCHES,
            ],
            ("batch_id",),
        ),
        Check("raw_accounts", "raw.accounts", suites_raw.RAW_ACCOUNTS, ("account_id",)),
        Check(
            "raw_payments",
            "raw.payments",
            suites_raw.RAW_PAYMENTS,
            ("payment_id", "account_id"),
            may_be_empty=True,
        ),
        Check(
            "raw_customers", "raw.customers", suites_raw.RAW_CUSTOMERS, ("customer_id",), may_be_empty=True
        ),
        # collections: a day may have no actions (a quiet Sunday) or no placement changes
        Check(
            "raw_collection_actions",
            "raw.collection_actions",
            suites_collections.RAW_COLLECTION_ACTIONS,
            ("action_id", "account_id", "_source_file"),
            may_be_empty=True,
        ),
        Check(
            "raw_collection_assignments",
            "raw.collection_assignments",
            suites_collections.RAW_COLLECTION_ASSIGNMENTS,
            ("assignment_id", "account_id", "_source_file"),
            may_be_empty=True,
        ),
        # repayment plans and charges: most days change no plan; no statement is cut on the 29th-31st
        Check(
            "raw_repayment_plans",
            "raw.repayment_plans",
            suites_plans.RAW_REPAYMENT_PLANS,
            ("plan_id", "account_id", "_source_file"),
            may_be_empty=True,
        ),
        Check(
            "raw_charges",
            "raw.charges",
            suites_plans.RAW_CHARGES,
            ("charge_id", "account_id", "_source_file"),
            may_be_empty=True,
        ),
    ),
)

# Bureau reporting model (dbt_project/models/marts/reporting/rpt_bureau_accounts.sql): one row per account
# per reporting period; columns are named after write_metro2's inputs, so suites_marts' generic names
# (metro2_account_status, address_line1, ...) do not apply. business_date = period_end (the run that built
# it). Only the columns both namings share are required until tests/quality's fake bureau table follows
# the model; then add account_status, payment_history_profile, first_line_address, state, zip_code.
BUREAU_TABLE = "restricted.rpt_bureau_accounts"
BUREAU_REQUIRED_COLUMNS = (
    "account_id",
    "customer_id",
    "date_opened",
    "current_balance",
    "amount_past_due",
    "surname",
    "first_name",
    "city",
)
BUREAU_REPORTING = [
    *(
        critical(
            f"bureau_requires_{c}",
            f"Every account due for bureau reporting has {c}.",
            gxe.ExpectColumnValuesToNotBeNull(column=c),
        )
        for c in BUREAU_REQUIRED_COLUMNS
    ),
    critical(
        "one_row_per_account",
        "One bureau record per account per reporting date.",
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
    ),
]

MARTS_GATE = Gate(
    name="marts_gate",
    checks=(
        Check(
            "marts_fct_account_daily",
            "marts.fct_account_daily",
            suites_marts.FCT_ACCOUNT_DAILY,
            ("account_id",),
        ),
        Check(
            "marts_aging_daily",
            "marts.mart_aging_daily",
            suites_marts.MART_AGING_DAILY,
            ("bucket_code", "product_code", "branch_code"),
        ),
        Check(
            "marts_roll_rate_monthly",
            "marts.mart_roll_rate_monthly",
            suites_marts.MART_ROLL_RATE_MONTHLY,
            ("from_bucket", "to_bucket"),
            date_column="to_month_end",
            # built on month ends only (tag month_end_only): a warehouse has none before its first month end
            optional=True,
            may_be_empty=True,
        ),
        Check(
            "marts_early_warning_daily",
            "marts.mart_early_warning_daily",
            suites_marts.MART_EARLY_WARNING_DAILY,
            ("account_id",),
        ),
        # collections KPI, plan and fee marts: a day may have no promises judged, no payment on an assigned
        # account, no plan and no charge; optional so the gate runs on warehouses built before them
        *(
            Check(
                f"marts_{table.removeprefix('mart_')}",
                f"marts.{table}",
                suite,
                keys,
                date_column=date,
                optional=True,
                may_be_empty=True,
            )
            for table, suite, keys, date in (
                (
                    "mart_collections_contact_daily",
                    suites_marts.MART_COLLECTIONS_CONTACT_DAILY,
                    ("channel", "holder_id", "collector_id"),
                    "business_date",
                ),
                (
                    "mart_collections_promises_daily",
                    suites_marts.MART_COLLECTIONS_PROMISES_DAILY,
                    ("channel", "holder_id", "collector_id"),
                    "business_date",
                ),
                (
                    "mart_collections_reminder_effect",
                    suites_marts.MART_COLLECTIONS_REMINDER_EFFECT,
                    ("tier", "is_reminded"),
                    "business_date",
                ),
                (
                    "mart_collections_recovery_daily",
                    suites_marts.MART_COLLECTIONS_RECOVERY_DAILY,
                    ("holder_id", "placement_month", "bucket_at_placement"),
                    "business_date",
                ),
                (
                    "mart_collections_recovery_monthly",
                    suites_marts.MART_COLLECTIONS_RECOVERY_MONTHLY,
                    ("placement_month", "holder_id", "bucket_at_placement"),
                    "last_activity_date",
                ),
                (
                    "mart_collections_entry_cohorts",
                    suites_marts.MART_COLLECTIONS_ENTRY_COHORTS,
                    ("entry_date", "horizon_days"),
                    "business_date",
                ),
                (
                    "mart_collections_holder_scorecard",
                    suites_marts.MART_COLLECTIONS_HOLDER_SCORECARD,
                    ("month", "holder_id"),
                    "as_of_date",
                ),
                (
                    "mart_collections_collector_scorecard",
                    suites_marts.MART_COLLECTIONS_COLLECTOR_SCORECARD,
                    ("month", "collector_id"),
                    "as_of_date",
                ),
                (
                    "mart_repayment_plan_performance",
                    suites_marts.MART_REPAYMENT_PLAN_PERFORMANCE,
                    ("plan_type", "start_month"),
                    "business_date",
                ),
                (
                    "mart_fee_income_daily",
                    suites_marts.MART_FEE_INCOME_DAILY,
                    ("product_code", "bucket_code"),
                    "business_date",
                ),
                (
                    "mart_fee_income_monthly",
                    suites_marts.MART_FEE_INCOME_MONTHLY,
                    ("product_code", "bucket_code"),
                    "period_end",
                ),
            )
        ),
        Check(
            "marts_bureau_reporting",
            BUREAU_TABLE,
            BUREAU_REPORTING,
            ("account_id",),
            optional=True,
            may_be_empty=True,
        ),
    ),
)

GATES = {g.name: g for g in (RAW_GATE, MARTS_GATE)}
