"""Load a verified drop into raw.accounts / raw.payments / raw.customers.

A load replaces exactly one business date in one transaction: a re-run or a restated day corrects the
rows, never duplicates them, and a failure leaves the earlier state in place. The raw layer keeps every
day (it is the history dbt builds from); raw.load_batches records what was loaded from which manifest.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from creditwh.contract import DATASETS, Dataset
from creditwh.landing.verify import VerifiedDrop, verify_checksum, verify_drop

LOAD_METADATA = {
    "_batch_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}

LOAD_BATCHES_DDL = """
create table if not exists raw.load_batches (
    batch_id varchar not null,
    business_date date primary key,
    source_system varchar not null,
    manifest_sha256 varchar not null,
    manifest varchar not null,
    loaded_at timestamp not null,
    accounts_records bigint not null,
    payments_records bigint not null,
    customers_records bigint not null
)
"""


@dataclass(frozen=True)
class LoadResult:
    business_date: dt.date
    batch_id: str
    records: dict[str, int]
    replaced: dict[str, int]  # rows of this date that were there before (a re-run or restatement)

    def summary(self) -> str:
        parts = ", ".join(f"{name} {n}" for name, n in self.records.items())
        again = " (replaced an earlier load)" if any(self.replaced.values()) else ""
        return f"loaded {self.business_date} batch {self.batch_id}: {parts}{again}"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for dataset in DATASETS:
        columns = {**dataset.columns, **LOAD_METADATA}
        ddl = ",\n    ".join(f"{name} {type_}" for name, type_ in columns.items())
        con.execute(f"create table if not exists raw.{dataset.name} (\n    {ddl}\n)")
    con.execute(LOAD_BATCHES_DDL)


def load_drop(warehouse_path: Path, drop_dir: Path, business_date: dt.date, drop: VerifiedDrop | None = None) -> LoadResult:
    """Load one verified drop. Pass `drop` when it was verified by an earlier task; checksums are re-read
    anyway so a file replaced in between is never loaded unverified."""
    drop = drop or verify_drop(drop_dir, business_date)
    paths = {d.name: verify_checksum(drop, d) for d in DATASETS}
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse_path))
    try:
        ensure_raw_schema(con)
        con.execute("begin transaction")
        try:
            replaced = {d.name: _replace_day(con, drop, d, paths[d.name]) for d in DATASETS}
            records = {d.name: drop.manifest["files"][d.name]["records"] for d in DATASETS}
            con.execute("delete from raw.load_batches where business_date = ?", [business_date])
            con.execute(
                "insert into raw.load_batches values (?, ?, ?, ?, ?, current_timestamp, ?, ?, ?)",
                [
                    drop.batch_id,
                    business_date,
                    drop.manifest.get("source_system", "unknown"),
                    drop.manifest_sha256,
                    json.dumps(drop.manifest, sort_keys=True),
                    records["accounts"],
                    records["payments"],
                    records["customers"],
                ],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
    return LoadResult(business_date, drop.batch_id, records, replaced)


def _replace_day(con: duckdb.DuckDBPyConnection, drop: VerifiedDrop, dataset: Dataset, path: Path) -> int:
    (replaced,) = con.execute(
        f"select count(*) from raw.{dataset.name} where business_date = ?", [drop.business_date]
    ).fetchone()
    con.execute(f"delete from raw.{dataset.name} where business_date = ?", [drop.business_date])
    casts = ", ".join(f"{c}::{t}" for c, t in dataset.columns.items())
    sha = drop.manifest["files"][dataset.name]["sha256"]
    con.execute(
        f"insert into raw.{dataset.name} select {casts}, ?, ?, ?, current_timestamp "
        f"from read_parquet('{path}')",
        [drop.batch_id, str(path), sha],
    )
    return replaced
