"""Session fixture for the risk marts: several simulated months, backfilled then run day by day.

The core fixture (tests/dbt/conftest.py) excludes the risk models and covers only ~5 weeks; roll rates
and the early-warning performance loop need several month ends and 90 days of future, so this builds
its own warehouse: the first days in one backfill `dbt build` (no business_date var = every date, with
every data and unit test), then the last days as the DAG does (`dbt build --vars {business_date}` per
day, crossing a month end), so the daily incremental path is exercised as well. Only the risk models
and what they read are built (the reporting models are another helper's).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from risk_build import DAILY_TAIL, RISK_SELECT, RiskWarehouse
from warehouse_build import run_dbt, warehouse_env

RISK_START = dt.date(2026, 1, 1)
RISK_DAYS = 120  # 1 Jan - 30 Apr: month ends Jan..Apr, and 90 days of outcome after the end of January
RISK_ACCOUNTS = 1000


@pytest.fixture(scope="session")
def risk_warehouse(tmp_path_factory) -> RiskWarehouse:
    from creditwh.load import load_drop
    from creditwh.simulate import SimConfig, simulate_to_landing

    data_dir = tmp_path_factory.mktemp("risk_warehouse")
    drops = simulate_to_landing(SimConfig(n_accounts=RISK_ACCOUNTS, start_date=RISK_START, seed=23), RISK_DAYS,
                                data_dir / "landing")  # fmt: skip
    warehouse = data_dir / "warehouse.duckdb"
    built = RiskWarehouse(warehouse, [RISK_START + dt.timedelta(days=i) for i in range(RISK_DAYS)])
    with warehouse_env(warehouse):
        for day, drop in zip(built.business_dates[:-DAILY_TAIL], drops[:-DAILY_TAIL], strict=True):
            load_drop(warehouse, drop, day, accept=True)
        started = time.perf_counter()
        run_dbt(["build", *RISK_SELECT])
        built.backfill_seconds = time.perf_counter() - started
        for day, drop in zip(built.daily_dates, drops[-DAILY_TAIL:], strict=True):
            load_drop(warehouse, drop, day, accept=True)
            started = time.perf_counter()
            run_dbt(["build", "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}', *RISK_SELECT])
            built.daily_seconds.append(time.perf_counter() - started)
    return built
