"""Session fixtures for the dbt project: one simulated warehouse, built day by day as the DAG does."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pytest
from warehouse_build import CORE_SELECTOR, BuiltWarehouse, build_warehouse

# 1 500 accounts from 25 Jan to 3 Mar 2026: month ends 31 Jan and 28 Feb, and the first days of March
# whose 1-month lagged rates reach back to early February.
DBT_START = dt.date(2026, 1, 25)
DBT_DAYS = 38
DBT_ACCOUNTS = 1500


def _fully_tested(day: dt.date) -> bool:
    last = DBT_START + dt.timedelta(days=DBT_DAYS - 1)
    return day in (DBT_START, last) or (day + dt.timedelta(days=1)).day == 1


@pytest.fixture(scope="session")
def dbt_warehouse(tmp_path_factory) -> BuiltWarehouse:
    """Simulate -> load -> `dbt build --vars {business_date}` for each of DBT_DAYS days: the core models
    (selector core: the risk marts and reporting models, developed separately, are left out so these
    tests check the core on its own).
    To keep the suite fast, data and unit tests run with the first, the last and the month-end days'
    builds; the other days build data only (the DAG itself always runs the full `dbt build`).
    Read-only for tests (use warehouse_con)."""
    data_dir = tmp_path_factory.mktemp("dbt_warehouse")
    previous = os.environ.get("CREDITWH_WAREHOUSE_PATH")
    built = build_warehouse(data_dir, n_accounts=DBT_ACCOUNTS, n_days=DBT_DAYS, start=DBT_START, seed=7,
                            selector=CORE_SELECTOR, fully_tested=_fully_tested)
    yield built
    if previous is None:
        os.environ.pop("CREDITWH_WAREHOUSE_PATH", None)
    else:
        os.environ["CREDITWH_WAREHOUSE_PATH"] = previous


@pytest.fixture
def warehouse_con(dbt_warehouse):
    # same configuration as dbt's in-process connection (DuckDB refuses a second, read-only one)
    con = duckdb.connect(str(dbt_warehouse.warehouse_path))
    yield con
    con.close()
