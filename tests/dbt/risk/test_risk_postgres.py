"""Portability of the risk marts: the first two months of the risk warehouse's raw tables are copied into a
fresh PostgreSQL database, backfilled there (`dbt build --target postgres`, every data and unit test), the
risk models are re-run for the last day in daily mode, and every risk table must equal DuckDB's."""

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
from risk_build import RISK_PATHS, RISK_SELECT
from warehouse_build import run_dbt, scoped_env, warehouse_env

pytestmark = pytest.mark.slow

psycopg2 = pytest.importorskip("psycopg2")

PG = {"host": os.environ.get("CREDITWH_PG_HOST", "127.0.0.1"), "port": 5432,
      "user": os.environ.get("CREDITWH_PG_USER", "postgres"), "password": os.environ.get("CREDITWH_PG_PASSWORD", "")}  # fmt: skip
PG_TYPES = {"VARCHAR": "varchar", "DATE": "date", "INTEGER": "integer", "BOOLEAN": "boolean",
            "TIMESTAMP": "timestamp", "DECIMAL(18,2)": "numeric(18,2)"}  # fmt: skip
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
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    dbname = f"creditwh_risk_{uuid.uuid4().hex[:8]}"
    admin.cursor().execute(f"create database {dbname}")
    try:
        with (
            psycopg2.connect(dbname=dbname, **PG) as pg,
            duckdb.connect(str(risk_warehouse.warehouse_path)) as duck,
        ):
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
            warehouse_env(risk_warehouse.warehouse_path),
        ):
            run_dbt(["build", *RISK_SELECT], target="postgres")  # backfill: every date, every test
            run_dbt(
                ["run", "--select", *RISK_PATHS, "--vars", f'{{business_date: "{LAST_DAY}"}}'],
                target="postgres",
            )
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
def test_risk_table_on_postgres_equals_duckdb(pg_risk, risk_warehouse, table):
    sql = f"select * from {table} where {TABLES[table]} <= date '{LAST_DAY}'"
    with psycopg2.connect(dbname=pg_risk, **PG) as pg:
        cur = pg.cursor()
        cur.execute(sql)
        pg_frame = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
    with duckdb.connect(str(risk_warehouse.warehouse_path)) as duck:
        duck_frame = duck.execute(sql).df()
    assert len(pg_frame) > 0
    numeric = {c for c, t in duck_frame.dtypes.items()
               if pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)}  # fmt: skip
    expected, actual = (
        _canonical(duck_frame, numeric),
        _canonical(pg_frame[list(duck_frame.columns)], numeric),
    )
    assert len(actual) == len(expected)
    for column in expected.columns:
        if column in numeric:
            np.testing.assert_allclose(actual[column].fillna(-1e9), expected[column].fillna(-1e9), rtol=1e-9,
                                       err_msg=column)  # fmt: skip
        else:
            assert (actual[column] == expected[column]).all(), column
