"""Portability: the same dbt project builds on PostgreSQL (`--target postgres`) and gives the same marts
as the DuckDB build. The first days of the session warehouse's raw tables are copied into a fresh
PostgreSQL database (schema raw), built day by day, compared, and the database is dropped."""

from __future__ import annotations

import io
import os
import uuid

import duckdb
import pytest
from creditwh.contract import DATASETS
from creditwh.load.raw import LOAD_METADATA
from warehouse_build import CORE_SELECTOR, build_day, parsed_manifest, scoped_env

pytestmark = pytest.mark.slow

psycopg2 = pytest.importorskip("psycopg2")

PG = {"host": os.environ.get("CREDITWH_PG_HOST", "127.0.0.1"), "port": 5432,
      "user": os.environ.get("CREDITWH_PG_USER", "postgres"), "password": os.environ.get("CREDITWH_PG_PASSWORD", "")}
N_DAYS = 3
PG_TYPES = {"VARCHAR": "varchar", "DATE": "date", "INTEGER": "integer", "BOOLEAN": "boolean",
            "TIMESTAMP": "timestamp", "DECIMAL(18,2)": "numeric(18,2)"}


def _admin():
    con = psycopg2.connect(dbname="postgres", **PG)
    con.autocommit = True
    return con


@pytest.fixture(scope="module")
def pg_database(dbt_warehouse):
    """A fresh database holding raw.* for the first N_DAYS business dates of the session warehouse."""
    try:
        admin = _admin()
    except psycopg2.OperationalError as exc:  # pragma: no cover - PostgreSQL is part of this machine
        pytest.fail(f"PostgreSQL not reachable: {exc}")
    dbname = f"creditwh_dbt_{uuid.uuid4().hex[:8]}"
    admin.cursor().execute(f"create database {dbname}")
    days = dbt_warehouse.business_dates[:N_DAYS]
    try:
        with psycopg2.connect(dbname=dbname, **PG) as pg, \
                duckdb.connect(str(dbt_warehouse.warehouse_path)) as duck:  # fmt: skip
            cur = pg.cursor()
            cur.execute("create schema raw")
            for dataset in DATASETS:
                columns = {**dataset.columns, **LOAD_METADATA}
                ddl = ", ".join(f"{name} {PG_TYPES[type_]}" for name, type_ in columns.items())
                cur.execute(f"create table raw.{dataset.name} ({ddl})")
                cur.execute(f"create index on raw.{dataset.name} (business_date)")
                frame = duck.execute(
                    f"select {', '.join(columns)} from raw.{dataset.name} where business_date <= ?", [days[-1]]
                ).df()
                buffer = io.StringIO()
                frame.to_csv(buffer, index=False, header=False)
                buffer.seek(0)
                cur.copy_expert(f"copy raw.{dataset.name} from stdin with (format csv)", buffer)
        yield dbname, days
    finally:
        admin.cursor().execute(f"drop database if exists {dbname} with (force)")
        admin.close()


@pytest.fixture(scope="module")
def pg_built(pg_database):
    dbname, days = pg_database
    with scoped_env(CREDITWH_PG_DBNAME=dbname, CREDITWH_PG_SCHEMA="creditwh"):
        parsed_manifest("postgres")
        for day in days:
            build_day(day, target="postgres", selector=CORE_SELECTOR)
        yield dbname, days


FACT_TOTALS = """
    select business_date, count(*), sum(current_balance), sum(amount_past_due), sum(days_past_due),
           count(distinct bucket_code || five_tier_class || metro2_account_status || cast(ifrs9_stage as varchar)),
           sum(case when is_month_end then 1 else 0 end), count(distinct person_id)
    from marts.fct_account_daily where business_date <= %(last)s group by business_date order by business_date
"""
AGING_TOTALS = """
    select business_date, bucket_code, count(*), sum(account_count), sum(current_balance), sum(amount_past_due)
    from marts.mart_aging_daily where business_date <= %(last)s group by business_date, bucket_code
    order by business_date, bucket_code
"""
RATES = """
    select business_date, book_account_count, book_balance, dpd30_balance, dpd60_balance, dpd90_balance,
           round(dq30_rate, 8), round(dq90_rate, 8), lag_date_30
    from marts.mart_delinquency_rates where business_date <= %(last)s order by business_date
"""


def _normalize(rows):
    return [tuple(str(v) for v in row) for row in rows]


@pytest.mark.parametrize("query", [FACT_TOTALS, AGING_TOTALS, RATES], ids=["fact", "aging", "rates"])
def test_postgres_marts_match_duckdb(pg_built, dbt_warehouse, query):
    dbname, days = pg_built
    with psycopg2.connect(dbname=dbname, **PG) as pg:
        cur = pg.cursor()
        cur.execute(query, {"last": days[-1]})
        pg_rows = cur.fetchall()
    with duckdb.connect(str(dbt_warehouse.warehouse_path)) as duck:
        duck_rows = duck.execute(query.replace("%(last)s", "?"), [days[-1]]).fetchall()
    assert pg_rows, "no rows built on PostgreSQL"
    assert _normalize(pg_rows) == _normalize(duck_rows)


def test_postgres_builds_every_core_relation(pg_built):
    dbname, _ = pg_built
    expected = {
        ("staging", "stg_accounts"), ("staging", "stg_payments"), ("staging", "stg_customers"),
        ("marts", "fct_account_daily"), ("marts", "mart_aging_daily"), ("marts", "mart_aging_month_end"),
        ("marts", "mart_delinquency_rates"), ("marts", "dim_customer"), ("restricted", "dim_customer_pii"),
        ("restricted", "snap_customers"),
    }
    with psycopg2.connect(dbname=dbname, **PG) as pg:
        cur = pg.cursor()
        cur.execute("select table_schema, table_name from information_schema.tables")
        present = set(cur.fetchall())
        cur.execute("select count(*), count(distinct person_id), "
                    "sum(case when id_number_masked like '%%*%%' then 1 else 0 end) from marts.dim_customer")
        persons, distinct_persons, masked = cur.fetchone()
    assert expected <= present, expected - present
    assert persons == distinct_persons > 0
    assert masked == persons  # every id shown masked
