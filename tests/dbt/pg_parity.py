"""PostgreSQL parity of dbt models, shared by the parity tests: a fresh PostgreSQL database holding a DuckDB
test warehouse's raw tables up to a date (dropped afterwards), and the comparison of one query's rows on both."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import psycopg2
from creditwh.contract import DATASETS
from creditwh.load.raw import LOAD_METADATA
from warehouse_build import scoped_env, warehouse_env

PG = {"host": os.environ.get("CREDITWH_PG_HOST", "127.0.0.1"), "port": 5432,
      "user": os.environ.get("CREDITWH_PG_USER", "postgres"), "password": os.environ.get("CREDITWH_PG_PASSWORD", "")}  # fmt: skip
PG_TYPES = {"VARCHAR": "varchar", "DATE": "date", "INTEGER": "integer", "BOOLEAN": "boolean",
            "TIMESTAMP": "timestamp", "DECIMAL(18,2)": "numeric(18,2)"}  # fmt: skip


@contextlib.contextmanager
def postgres_copy(warehouse: Path, last_day: dt.date, prefix: str) -> Iterator[str]:
    """A new database `<prefix>_<random>` with schema raw holding every dataset's rows up to last_day; dbt's
    profile points at it (and DuckDB's at `warehouse`) for the duration; dropped at the end."""
    admin = psycopg2.connect(dbname="postgres", **PG)
    admin.autocommit = True
    dbname = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin.cursor().execute(f"create database {dbname}")
    try:
        with psycopg2.connect(dbname=dbname, **PG) as pg, duckdb.connect(str(warehouse)) as duck:
            cur = pg.cursor()
            cur.execute("create schema raw")
            for dataset in DATASETS:
                columns = {**dataset.columns, **LOAD_METADATA}
                cur.execute(f"create table raw.{dataset.name} "
                            f"({', '.join(f'{name} {PG_TYPES[t]}' for name, t in columns.items())})")  # fmt: skip
                frame = duck.execute(f"select {', '.join(columns)} from raw.{dataset.name} where business_date <= ?",
                                     [last_day]).df()  # fmt: skip
                buffer = io.StringIO()
                frame.to_csv(buffer, index=False, header=False)
                buffer.seek(0)
                cur.copy_expert(f"copy raw.{dataset.name} from stdin with (format csv)", buffer)
        with scoped_env(CREDITWH_PG_DBNAME=dbname, CREDITWH_PG_SCHEMA="creditwh"), warehouse_env(warehouse):
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


def assert_same_rows(dbname: str, warehouse: Path, sql: str, *, may_be_empty: bool = False) -> None:
    """`sql` returns the same rows on PostgreSQL database `dbname` and on the DuckDB `warehouse` (numbers to a
    relative 1e-9, dates by day, order ignored)."""
    with psycopg2.connect(dbname=dbname, **PG) as pg:
        cur = pg.cursor()
        cur.execute(sql)
        pg_frame = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])
    with duckdb.connect(str(warehouse)) as duck:
        duck_frame = duck.execute(sql).df()
    if not may_be_empty:
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
