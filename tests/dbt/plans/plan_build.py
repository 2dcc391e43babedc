"""Building the plan and fee marts of a simulated book (the session fixture is in conftest.py).

1 500 accounts from 1 Jan 2026 for 100 days: the plans started in the first days reach their +3-month date
(1 to 10 April), the plans the book starts with (seasoned up to six months before 1 Jan) reach +3 and +6
months inside the window, and 31 Jan, 28 Feb and 31 Mar are month ends for the monthly fee roll-up. As a new
warehouse is built: one backfill `dbt build` (no business_date var) of every date but the last DAILY_DAYS,
then those days one at a time as the DAG runs them, so both the backfill and the incremental path of every
model are exercised; the data and unit tests run on the last day only (the suite's time budget).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from warehouse_build import DATA_ONLY, run_dbt

START = dt.date(2026, 1, 1)
DAYS = 100
ACCOUNTS = 1500
DAILY_DAYS = 2
PLAN_MODELS = (
    "int_account_repayment_plans",
    "fct_account_daily",
    "int_repayment_plan_outcomes",
    "mart_repayment_plan_performance",
    "mart_fee_income_daily",
    "mart_fee_income_monthly",
    "fct_early_warning_signals",
    "rpt_blacklist_candidates",
)
# The book's hardship offers are raised from the default 0.0008 a delinquent account a day so that a small
# book has hardship plans started in January, measured 3 months later, some kept and some broken.
P_HARDSHIP_IF_DELINQUENT = 0.01
SELECT = ("--select", *(f"+{m}" for m in PLAN_MODELS), "--indirect-selection", "cautious")


@dataclass(frozen=True)
class Book:
    warehouse: Path
    data_dir: Path
    days: list[dt.date]


def sim_config():
    from creditwh.simulate import SimConfig

    return SimConfig(
        n_accounts=ACCOUNTS, start_date=START, seed=16, p_hardship_if_delinquent=P_HARDSHIP_IF_DELINQUENT
    )


def build_plans(day: dt.date | None = None, *, data_only: bool = False, target: str = "duckdb") -> None:
    """`dbt build` of the plan marts for one business date (None: backfill every loaded date)."""
    args = ["build", *SELECT]
    if day is not None:
        args += ["--vars", f'{{business_date: "{day:%Y-%m-%d}"}}']
    run_dbt([*args, *(DATA_ONLY if data_only else ())], target=target)
