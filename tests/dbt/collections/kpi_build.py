"""Building the KPI marts of a simulated collections book (the session fixture is in conftest.py).

The raw layer is loaded by the real loader; the KPI marts (and what they read) are built the way a new
warehouse is: one backfill `dbt build` (no business_date var) of every date but the last DAILY_DAYS, then
those days one at a time as the DAG runs them (`--vars {business_date}`), so both paths are exercised; the
data and unit tests run on the last day only (the test suite's time budget).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from warehouse_build import DATA_ONLY, run_dbt

START = dt.date(2026, 1, 1)
DAYS = 92  # January to March and 1-2 April: three whole months
ACCOUNTS = 1500
DAILY_DAYS = 2
KPI_MODELS = (
    "int_collection_placements",
    "mart_collections_contact_daily",
    "mart_collections_promises_daily",
    "mart_collections_recovery_daily",
    "mart_collections_recovery_monthly",
    "int_collection_delinquency_entries",
    "mart_collections_entry_cohorts",
    "mart_collections_holder_scorecard",
    "mart_collections_collector_scorecard",
    "mart_collections_reminder_effect",
)
# with the compliance mart, so the PostgreSQL test builds every collections mart
SELECT = (
    "--select",
    *(f"+{m}" for m in (*KPI_MODELS, "mart_collections_compliance")),
    "--indirect-selection",
    "cautious",
)


@dataclass(frozen=True)
class Book:
    warehouse: Path
    data_dir: Path
    days: list[dt.date]


def build_kpis(day: dt.date | None = None, *, data_only: bool = False) -> None:
    """`dbt build` of the KPI marts for one business date (None: backfill every loaded date)."""
    args = ["build", *SELECT]
    if day is not None:
        args += ["--vars", f'{{business_date: "{day:%Y-%m-%d}"}}']
    run_dbt([*args, *(DATA_ONLY if data_only else ())])
