"""Portability of the plan and fee marts: the first PG_DAYS dates of the plan book's raw tables are copied into
a fresh PostgreSQL database, backfilled there (`dbt build --target postgres`, data only), the last of them
re-run in daily mode with every data and unit test, and each table must equal DuckDB's for those dates (the
January fee roll-up too)."""

from __future__ import annotations

import datetime as dt

import pytest
from pg_parity import assert_same_rows, postgres_copy
from plan_build import START
from warehouse_build import DATA_ONLY, run_dbt

pytestmark = pytest.mark.slow

PG_DAYS = 40  # to 9 February: the January month end, plans started, broken and measured
LAST_DAY = START + dt.timedelta(days=PG_DAYS - 1)
SELECT = ("--select", "+mart_repayment_plan_performance", "+mart_fee_income_monthly", "+int_account_repayment_plans",
          "--indirect-selection", "cautious")  # fmt: skip
TABLES = {
    "intermediate.int_account_repayment_plans": f"business_date <= date '{LAST_DAY}'",
    "intermediate.int_repayment_plan_outcomes": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_repayment_plan_performance": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_fee_income_daily": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_fee_income_monthly": "period_end = date '2026-01-31'",
}


@pytest.fixture(scope="module")
def pg_plans(plan_book):
    with postgres_copy(plan_book.warehouse, LAST_DAY, "creditwh_plans") as dbname:
        run_dbt(["build", *SELECT, *DATA_ONLY], target="postgres")  # backfill: every date
        run_dbt(["build", *SELECT, "--vars", f'{{business_date: "{LAST_DAY}"}}'], target="postgres")
        yield dbname


@pytest.mark.parametrize("table", list(TABLES))
def test_plan_table_on_postgres_equals_duckdb(pg_plans, plan_book, table):
    assert_same_rows(pg_plans, plan_book.warehouse, f"select * from {table} where {TABLES[table]}")
