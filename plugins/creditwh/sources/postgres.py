"""Extract a business date from the card platform's PostgreSQL database into a landing drop.

The extract lands as an ordinary drop (Parquet + manifest) so the same verification and load path runs
and the raw input is kept. The manifest's counts and control totals are computed by the SOURCE database,
independently of the files we write, so a truncated or mangled transfer is caught by verify_drop.
Rows stream through a temporary CSV via COPY; memory does not grow with the day's size.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import duckdb

from creditwh.checksums import sha256_file
from creditwh.contract import DATASETS, Dataset, manifest_name

DEFAULT_SCHEMA = "cardsrc"


def extract_day(pg_conn, business_date: dt.date, landing_dir: Path, schema: str = DEFAULT_SCHEMA) -> Path:
    """Write `<landing_dir>/<date>/` from `schema.accounts|payments|customers` rows of that date."""
    drop_dir = landing_dir / f"{business_date:%Y-%m-%d}"
    drop_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    with tempfile.TemporaryDirectory(dir=drop_dir) as tmp:
        con = duckdb.connect()
        try:
            for dataset in DATASETS:
                files[dataset.name] = _extract_dataset(pg_conn, con, dataset, business_date, schema, drop_dir, Path(tmp))
        finally:
            con.close()
    manifest = {"business_date": business_date.isoformat(), "source_system": f"postgres:{schema}", "files": files}
    target = drop_dir / manifest_name(business_date)
    tmp_manifest = target.with_suffix(".json.tmp")
    tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp_manifest, target)
    return drop_dir


def _extract_dataset(pg_conn, con, dataset: Dataset, business_date: dt.date, schema: str, drop_dir: Path, tmp: Path) -> dict:
    columns = ", ".join(dataset.columns)
    order = ", ".join(dataset.key)
    where = f"business_date = '{business_date.isoformat()}'::date"
    csv_path = tmp / f"{dataset.name}.csv"
    with pg_conn.cursor() as cur, open(csv_path, "w", encoding="utf-8", newline="") as out:
        _copy_out(
            cur,
            f"copy (select {columns} from {schema}.{dataset.name} where {where} order by {order}) "
            "to stdout with (format csv, header true)",
            out,
        )
        totals_sql = "".join(f", coalesce(sum({c}), 0)::numeric(38,2)::text" for c in dataset.control_totals)
        cur.execute(f"select count(*){totals_sql} from {schema}.{dataset.name} where {where}")
        row = cur.fetchone()

    target = drop_dir / dataset.file_name(business_date)
    tmp_parquet = tmp / target.name
    casts = ", ".join(f"{c}::{t} as {c}" for c, t in dataset.columns.items())
    types = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in dataset.columns) + "}"
    con.execute(
        f"copy (select {casts} from read_csv('{csv_path}', header = true, columns = {types}, "
        f"nullstr = '', quote = '\"', escape = '\"')) to '{tmp_parquet}' (format parquet)"
    )
    os.replace(tmp_parquet, target)
    return {
        "file": target.name,
        "records": int(row[0]),
        "sha256": sha256_file(target).sha256,
        "control_totals": dict(zip(dataset.control_totals, row[1:], strict=False)),
    }


def publish_day(pg_conn, drop_dir: Path, business_date: dt.date, schema: str = DEFAULT_SCHEMA) -> None:
    """The simulated platform's side: put a day's snapshot into its PostgreSQL tables (replacing that day).

    Reads the simulator's Parquet drop so the database holds exactly what the file drop holds."""
    con = duckdb.connect()
    try:
        with pg_conn.cursor() as cur:
            cur.execute(f"create schema if not exists {schema}")
            for dataset in DATASETS:
                ddl = ", ".join(f"{c} {_pg_type(t)}" for c, t in dataset.columns.items())
                cur.execute(f"create table if not exists {schema}.{dataset.name} ({ddl})")
                cur.execute(f"delete from {schema}.{dataset.name} where business_date = %s", [business_date])
                with tempfile.TemporaryDirectory() as tmp:
                    # Open the CSV only after DuckDB wrote it: COPY replaces the file, not its contents.
                    csv_path = Path(tmp) / f"{dataset.name}.csv"
                    src = drop_dir / dataset.file_name(business_date)
                    con.execute(f"copy (select * from read_parquet('{src}')) to '{csv_path}' (format csv, header false)")
                    with open(csv_path, encoding="utf-8") as rows:
                        _copy_in(cur, f"copy {schema}.{dataset.name} from stdin with (format csv)", rows)
        pg_conn.commit()
    finally:
        con.close()


# The Postgres provider's hook hands out psycopg 3 connections; scripts and tests may use psycopg2.
# COPY is the one call that differs between them.
def _copy_out(cur, sql: str, out) -> None:
    if hasattr(cur, "copy_expert"):  # psycopg2
        cur.copy_expert(sql, out)
        return
    with cur.copy(sql) as copy:  # psycopg 3
        for chunk in copy:
            out.write(bytes(chunk).decode("utf-8"))


def _copy_in(cur, sql: str, source) -> None:
    if hasattr(cur, "copy_expert"):  # psycopg2
        cur.copy_expert(sql, source)
        return
    with cur.copy(sql) as copy:  # psycopg 3
        while data := source.read(1 << 20):
            copy.write(data)


def _pg_type(duckdb_type: str) -> str:
    return {"VARCHAR": "text", "DOUBLE": "double precision"}.get(duckdb_type, duckdb_type.lower())
