"""Portability of the plan and fee marts: the first PG_DAYS dates of the plan book's raw tables are copied into
a fresh PostgreSQL database, backfilled there (`dbt build --target postgres`, data only), the last of them
re-run in daily mode with every data and unit test, and each table must equal DuckDB's for those dates (the
January fee roll-up too)."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid

import duckdb
import numpy as np
import pandas as pd
import pytest
from creditwh.contract import DATASETS
from creditwh.load.raw import LOAD_METADATA
from plan_build import START
from warehouse_build import DATA_ONLY, run_dbt, scoped_env, warehouse_env

pytestmark = pytest.mark.slow

psycopg2 = pytest.importorskip("psycopg2")

PG = {"host": os.environ.get("CREDITWH_PG_HOST", "127.0.0.1"), "port": 5432,
      "user": os.environ.get("CREDITWH_PG_USER", "postgres"), "password": os.environ.get("CREDITWH_PG_PASSWORD", "")}  # fmt: skip
PG_TYPES = {"VARCHAR": "varchar", "DATE": "date", "INTEGER": "integer", "BOOLEAN": "boolean",
            "TIMESTAMP": "timestamp", "DECIMAL(18,2)": "numeric(18,2)"}  # fmt: skip
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
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    dbname = f"creditwh_plans_{uuid.uuid4().hex[:8]}"
    admin.cursor().execute(f"create database {dbname}")
    try:
        with psycopg2.connect(dbname=dbname, **PG) as pg, duckdb.connect(str(plan_book.warehouse)) as duck:
            cur = pg.cursor()
            cur.execute("create schema raw")
            for dataset in DATASETS:
                columns = {**dataset.columns, **LOAD_METADATA}
                cur.execute(f"create table raw.{dataset.name} "
                            f"({', '.join(f'{name} {PG_TYPES[t]}' for name, t in columns.items())})")  # fmt: skip
                frame = duck.execute(f"select {', '.join(columns)} from raw.{dataset.name} where business_date <= ?",
                                     [LAST_DAY]).df()  # fmt: skip
                buffer = io.StringIO()
                frame.to_csv(buffer, index=False, header=False)
                buffer.seek(0)
                cur.copy_expert(f"copy raw.{dataset.name} from stdin with (format csv)", buffer)
        with (
            scoped_env(CREDITWH_PG_DBNAME=dbname, CREDITWH_PG_SCHEMA="creditwh"),
            warehouse_env(plan_book.warehouse),
        ):
            run_dbt(["build", *SELECT, *DATA_ONLY], target="postgres")  # backfill: every date
            run_dbt(["build", *SELECT, "--vars", f'{{business_date: "{LAST_DAY}"}}'], target="postgres")
        yield dbname
    finally:
        admin.cursor().execute(f"drop database if exists {dbname} with (force)")
        admin.close()


def _canonical(frame: pd.DataFrame, numeric: set[str]) -> pd.DataFrame:
    """Same cell values whatever the driver returned: numbers as float, everything else as text."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        if column in numeric:
            out[column] = pd.to_numeric(frame[column]).astype(float).round(9)
        else:
            out[column] = frame[column].map(
                lambda v: "" if pd.isna(v) else str(v)[:10] if hasattr(v, "year") else str(v)
            )
    return out.sort_values(list(out.columns)).reset_index(drop=True)


@pytest.mark.parametrize("table", list(TABLES))
def test_plan_table_on_postgres_equals_duckdb(pg_plans, plan_book, table):
    sql = f"select * from {table} where {TABLES[table]}"
    with psycopg2.connect(dbname=pg_plans, **PG) as pg:
        cur = pg.cursor()
        cur.execute(sql)
        pg_frame = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
    with duckdb.connect(str(plan_book.warehouse)) as duck:
        duck_frame = duck.execute(sql).df()
    assert len(pg_frame) > 0
    numeric = {c for c, t in duck_frame.dtypes.items()
               if pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)}  # fmt: skip
    expected = _canonical(duck_frame, numeric)
    actual = _canonical(pg_frame[list(duck_frame.columns)], numeric)
    assert len(actual) == len(expected)
    for column in expected.columns:
        if column in numeric:
            np.testing.assert_allclose(actual[column].fillna(-1e9), expected[column].fillna(-1e9), rtol=1e-9,
                                       err_msg=column)  # fmt: skip
        else:
            assert (actual[column] == expected[column]).all(), column
