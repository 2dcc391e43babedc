"""Verify a drop against its manifest and the input contract before anything is loaded.

Checks, in the order a broken drop is usually broken: manifest present and for this date, files present,
checksums, columns (missing/extra), values castable to the contract types, business date stamped on every
row, record counts, control totals. All set-based in DuckDB; nothing is modified.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from creditwh.contract import DATASETS, Dataset, manifest_name
from creditwh.errors import DropNotArrived, DropRejected
from creditwh.landing.manifest import control_totals, sha256_file


@dataclass(frozen=True)
class VerifiedDrop:
    business_date: dt.date
    drop_dir: Path
    manifest: dict
    manifest_sha256: str

    def path(self, dataset: Dataset) -> Path:
        return self.drop_dir / self.manifest["files"][dataset.name]["file"]

    @property
    def batch_id(self) -> str:
        return f"{self.business_date:%Y%m%d}-{self.manifest_sha256[:12]}"


def read_verified_manifest(drop_dir: Path, business_date: dt.date) -> tuple[dict, str]:
    path = drop_dir / manifest_name(business_date)
    if not path.exists():
        raise DropNotArrived(f"{path}: manifest not found (the drop for {business_date} is not complete)")
    try:
        manifest = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise DropRejected(path, "manifest_json", f"not valid JSON: {exc}") from exc
    stamped = manifest.get("business_date")
    if stamped != business_date.isoformat():
        raise DropRejected(path, "manifest_business_date", f"manifest is for {stamped}, expected {business_date}")
    missing = [d.name for d in DATASETS if d.name not in manifest.get("files", {})]
    if missing:
        raise DropRejected(path, "manifest_files", f"manifest lists no entry for {', '.join(missing)}")
    return manifest, sha256_file(path)


def verify_drop(drop_dir: Path, business_date: dt.date) -> VerifiedDrop:
    manifest, manifest_sha = read_verified_manifest(drop_dir, business_date)
    drop = VerifiedDrop(business_date, drop_dir, manifest, manifest_sha)
    con = duckdb.connect()
    try:
        for dataset in DATASETS:
            _verify_file(con, drop, dataset)
    finally:
        con.close()
    return drop


def verify_checksum(drop: VerifiedDrop, dataset: Dataset) -> Path:
    path = drop.path(dataset)
    if not path.exists():
        raise DropRejected(path, "file_present", "file listed in the manifest is missing")
    expected = drop.manifest["files"][dataset.name]["sha256"]
    actual = sha256_file(path)
    if actual != expected:
        raise DropRejected(path, "checksum", f"sha256 is {actual}, manifest says {expected}")
    return path


def _verify_file(con: duckdb.DuckDBPyConnection, drop: VerifiedDrop, dataset: Dataset) -> None:
    entry = drop.manifest["files"][dataset.name]
    path = verify_checksum(drop, dataset)
    try:
        schema = con.execute(f"describe select * from read_parquet('{path}')").fetchall()
    except duckdb.Error as exc:
        raise DropRejected(path, "readable", f"not a readable Parquet file: {exc}") from exc
    actual_columns = [row[0] for row in schema]
    missing = [c for c in dataset.columns if c not in actual_columns]
    extra = [c for c in actual_columns if c not in dataset.columns]
    if missing or extra:
        raise DropRejected(path, "columns", f"missing columns {missing}, unexpected columns {extra}")

    # One pass: for each column, the first row whose non-null value does not cast to the contract type.
    source = f"read_parquet('{path}', file_row_number = true)"
    probes = ", ".join(
        f"min(file_row_number) filter (where {c} is not null and try_cast({c} as {t}) is null)"
        for c, t in dataset.columns.items()
    )
    bad_rows = con.execute(f"select {probes} from {source}").fetchone()
    for (column, type_), bad_row in zip(dataset.columns.items(), bad_rows):
        if bad_row is not None:
            raise DropRejected(path, "parseable", f"column {column}: value does not parse as {type_}", row=bad_row + 1)

    stamp = con.execute(
        f"select min(file_row_number), any_value(business_date) from {source} "
        f"where try_cast(business_date as date) is distinct from ?::date",
        [drop.business_date],
    ).fetchone()
    if stamp[0] is not None:
        raise DropRejected(
            path, "business_date", f"row stamped {stamp[1]}, drop is for {drop.business_date}", row=stamp[0] + 1
        )

    typed = "(select " + ", ".join(f"{c}::{t} as {c}" for c, t in dataset.columns.items()) + f" from {source})"
    records, totals = control_totals(con, typed, dataset.name)
    if records != entry["records"]:
        raise DropRejected(path, "record_count", f"{records} records, manifest says {entry['records']}")
    for column, value in totals.items():
        expected = entry["control_totals"].get(column)
        if _decimal(expected) != Decimal(value):
            raise DropRejected(path, "control_total", f"sum({column}) is {value}, manifest says {expected}")


def _decimal(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
