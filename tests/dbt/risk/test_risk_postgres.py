"""Portability of the risk marts: the first two months of the risk warehouse's raw tables are copied into a
fresh PostgreSQL database, backfilled there (`dbt build --target postgres`, every data and unit test), the
risk models are re-run for the last day in daily mode, and every risk table must equal DuckDB's."""

from __future__ import annotations

import datetime as dt

import pytest
from pg_parity import assert_same_rows, postgres_copy
from risk_build import RISK_PATHS, RISK_SELECT
from warehouse_build import run_dbt

pytestmark = pytest.mark.slow

LAST_DAY = dt.date(2026, 3, 1)  # month ends 31 Jan and 28 Feb, 30-day outcomes from 30 Jan on
TABLES = {
    "intermediate.int_account_statement_cycles": "business_date",
    "intermediate.int_account_cycle_features": "business_date",
    "intermediate.int_early_warning_bad_entries": "business_date",
    "marts.mart_bucket_transitions_daily": "business_date",
    "marts.mart_roll_rate_monthly": "to_month_end",
    "marts.mart_flow_rates_monthly": "to_month_end",
    "marts.fct_early_warning_signals": "business_date",
    "marts.mart_early_warning_daily": "business_date",
    "marts.mart_collections_queue": "business_date",
    "marts.mart_early_warning_performance": "evaluated_on",
    "marts.fct_person_risk_conditions": "business_date",
    "marts.fct_person_risk_rating_daily": "business_date",
    "marts.mart_person_rating_rises": "business_date",
}


@pytest.fixture(scope="module")
def pg_risk(risk_warehouse):
    with postgres_copy(risk_warehouse.warehouse_path, LAST_DAY, "creditwh_risk") as dbname:
        run_dbt(["build", *RISK_SELECT], target="postgres")  # backfill: every date, every test
        run_dbt(
            ["run", "--select", *RISK_PATHS, "--vars", f'{{business_date: "{LAST_DAY}"}}'],
            target="postgres",
        )
        yield dbname


@pytest.mark.parametrize("table", list(TABLES))
def test_risk_table_on_postgres_equals_duckdb(pg_risk, risk_warehouse, table):
    sql = f"select * from {table} where {TABLES[table]} <= date '{LAST_DAY}'"
    assert_same_rows(pg_risk, risk_warehouse.warehouse_path, sql)

