"""Stage a verified drop into raw.<dataset> (every dataset of the contract) as a *pending* batch.

A load replaces exactly one business date in one transaction: a re-run or a restated day corrects the
rows, never duplicates them, and a failure (or a killed process: DuckDB writes nothing of an uncommitted
transaction) leaves the earlier state in place. The raw layer keeps every day (it is the history dbt builds
from); raw.load_batches records what was loaded from which manifest, and its `status`.

A loaded batch is only *pending* until the raw GX gate has judged it (creditwh.load.batches holds the
lifecycle): the date's previously accepted rows are moved aside into raw_prior.* in the same transaction,
so a rejected batch can be rolled back to them, and only the date's own rows are copied (the cost follows
the day, not the history). Before staging, the load rolls back any batch still pending from an earlier,
unfinished run, so a day no gate accepted is never the "previous loaded day" of the next one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from creditwh import warehouse
from creditwh.contract import DATASETS, Dataset
from creditwh.faultpoint import fault_point
from creditwh.landing.verify import VerifiedDrop, verify_checksum, verify_drop
from creditwh.load import batches

LOAD_METADATA = {
    "_batch_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_file_sha256": "VARCHAR",
    "_loaded_at": "TIMESTAMP",
}

LOAD_BATCHES_DDL = f"""
create table if not exists raw.load_batches (
    batch_id varchar not null,
    business_date date primary key,
    source_system varchar not null,
    manifest_sha256 varchar not null,
    manifest varchar not null,
    loaded_at timestamp not null,
    {"".join(f"{d.name}_records bigint not null,{chr(10)}    " for d in DATASETS)}status varchar not null default 'pending' check (status in ('pending', 'accepted')),
    accepted_at timestamp
)
"""

# Warehouses loaded before batches had a status: every batch they hold was the one the pipeline used.
# Warehouses loaded before a dataset joined the contract: their days delivered none of its rows.
LOAD_BATCHES_UPGRADE = [
    "alter table raw.load_batches add column if not exists status varchar default 'accepted'",
    "alter table raw.load_batches add column if not exists accepted_at timestamp",
    *(f"alter table raw.load_batches add column if not exists {d.name}_records bigint default 0" for d in DATASETS),
]


@dataclass(frozen=True)
class LoadResult:
    business_date: dt.date
    batch_id: str
    records: dict[str, int]
    replaced: dict[str, int]  # rows of this date that were there before (a re-run or restatement)
    rolled_back: list[batches.RolledBack] = field(default_factory=list)  # unfinished batches undone first

    def summary(self) -> str:
        parts = ", ".join(f"{name} {n}" for name, n in self.records.items())
        again = " (replaced an earlier load)" if any(self.replaced.values()) else ""
        return f"loaded {self.business_date} batch {self.batch_id} (pending the raw gate): {parts}{again}"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for dataset in DATASETS:
        columns = {**dataset.columns, **LOAD_METADATA}
        ddl = ",\n    ".join(f"{name} {type_}" for name, type_ in columns.items())
        con.execute(f"create table if not exists raw.{dataset.name} (\n    {ddl}\n)")
    con.execute(LOAD_BATCHES_DDL)
    for statement in LOAD_BATCHES_UPGRADE:
        con.execute(statement)
    batches.ensure_batch_tables(con)


def load_drop(
    warehouse_path: Path,
    drop_dir: Path,
    business_date: dt.date,
    drop: VerifiedDrop | None = None,
    *,
    accept: bool = False,
    keep_pending: bool = False,
) -> LoadResult:
    """Stage one verified drop as the date's pending batch. Pass `drop` when it was verified by an earlier
    task; checksums are re-read anyway so a file replaced in between is never loaded unverified.

    Batches still pending are rolled back first (their run ended without a verdict), unless `keep_pending`:
    the history load stages every date of its range before the raw gate judges them, and settles them all
    (creditwh.pipeline.history). `accept=True` accepts the batch at once, without the raw gate: only for
    tools and test fixtures that load a trusted history (the DAG always lets the gate decide,
    creditwh.load.acceptance)."""
    drop = drop or verify_drop(drop_dir, business_date)
    paths = {d.name: verify_checksum(drop, d) for d in DATASETS}
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = warehouse.connect(warehouse_path)
    try:
        ensure_raw_schema(con)
        rolled_back = [] if keep_pending else batches.roll_back_unfinished(con)
        con.execute("begin transaction")
        try:
            replaced = batches.set_aside_accepted(con, business_date)
            for dataset in DATASETS:
                _insert_day(con, drop, dataset, paths[dataset.name])
            records = {d.name: drop.manifest["files"][d.name]["records"] for d in DATASETS}
            counts = [f"{name}_records" for name in records]
            con.execute(
                "insert into raw.load_batches (batch_id, business_date, source_system, manifest_sha256, "
                f"manifest, loaded_at, {', '.join(counts)}, status) "
                f"values (?, ?, ?, ?, ?, current_timestamp, {', '.join('?' for _ in counts)}, 'pending')",
                [
                    drop.batch_id,
                    business_date,
                    drop.manifest.get("source_system", "unknown"),
                    drop.manifest_sha256,
                    json.dumps(drop.manifest, sort_keys=True),
                    *records.values(),
                ],
            )
            fault_point("raw_load_before_commit")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        fault_point("raw_load_committed")
        if accept:
            batches.accept(con, business_date, drop.batch_id)
    finally:
        con.close()
    return LoadResult(business_date, drop.batch_id, records, replaced, rolled_back)


def _insert_day(con: duckdb.DuckDBPyConnection, drop: VerifiedDrop, dataset: Dataset, path: Path) -> None:
    """Insert the file's rows (the date's accepted rows were set aside just before). The file's path is a
    bound parameter: it never becomes SQL text."""
    casts = ", ".join(f"{c}::{t}" for c, t in dataset.columns.items())
    sha = drop.manifest["files"][dataset.name]["sha256"]
    con.execute(
        f"insert into raw.{dataset.name} select {casts}, ?, ?, ?, current_timestamp from read_parquet(?)",
        [drop.batch_id, str(path), sha, str(path)],
    )
