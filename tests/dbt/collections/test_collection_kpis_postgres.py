"""Portability of the collections marts: the first PG_DAYS dates of the KPI book's raw tables are copied into
a fresh PostgreSQL database, backfilled there (`dbt build --target postgres`, data only), the last of them
re-run in daily mode with every data and unit test, and each daily collections table must equal DuckDB's
for those dates (January's scorecards too: a whole month, the same rows in both)."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from kpi_build import SELECT, START
from pg_parity import PG, assert_same_rows, postgres_copy
from warehouse_build import DATA_ONLY, run_dbt

pytestmark = pytest.mark.slow

PG_DAYS = 40  # to 9 February: January whole, promises judged, placements escalated
LAST_DAY = START + dt.timedelta(days=PG_DAYS - 1)
JANUARY = "date '2026-01-01'"
TABLES = {
    "intermediate.int_collection_placements": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_collections_contact_daily": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_collections_promises_daily": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_collections_recovery_daily": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_collections_compliance": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_collections_reminder_effect": f"business_date <= date '{LAST_DAY}'",
    "marts.mart_collections_holder_scorecard": f"month = {JANUARY}",
    "marts.mart_collections_collector_scorecard": f"month = {JANUARY}",
}


@pytest.fixture(scope="module")
def pg_kpis(kpi_book):
    with postgres_copy(kpi_book.warehouse, LAST_DAY, "creditwh_kpis") as dbname:
        run_dbt(["build", *SELECT, *DATA_ONLY], target="postgres")  # backfill: every date
        run_dbt(["build", *SELECT, "--vars", f'{{business_date: "{LAST_DAY}"}}'], target="postgres")
        yield dbname


@pytest.mark.parametrize("table", list(TABLES))
def test_collections_table_on_postgres_equals_duckdb(pg_kpis, kpi_book, table):
    sql = f"select * from {table} where {TABLES[table]}"
    assert_same_rows(pg_kpis, kpi_book.warehouse, sql, may_be_empty=table == "marts.mart_collections_compliance")


def test_monthly_recovery_builds_on_postgres(pg_kpis):
    with psycopg2.connect(dbname=pg_kpis, **PG) as pg:
        cur = pg.cursor()
        cur.execute("select count(*), sum(placement_balance) > 0, max(last_activity_date) "
                    "from marts.mart_collections_recovery_monthly")  # fmt: skip
        rows, positive, last_activity = cur.fetchone()
    assert rows > 0 and positive and START < last_activity <= LAST_DAY
