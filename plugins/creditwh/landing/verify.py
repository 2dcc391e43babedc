"""Verify a drop against its manifest and the input contract before anything is loaded.

Checks, in the order a broken drop is usually broken: the manifest (present, for this date, every key and
value well formed: ``manifest_rules``), the folder (the listed files present as regular files, nothing
unlisted: ``drop_listing``), then per file: checksum, columns and declared types (``column_types``), every
string valid UTF-8 (``text_encoding``), money within DECIMAL(18,2), business date stamped on every row,
record counts, control totals. All set-based in DuckDB with the file path bound as a parameter; nothing is
modified.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb

from creditwh.checksums import sha256_file
from creditwh.contract import DATASETS, MONEY, Dataset
from creditwh.errors import DropRejected
from creditwh.landing.column_types import check_columns
from creditwh.landing.drop_listing import check_drop_listing, check_regular_file
from creditwh.landing.manifest import control_totals
from creditwh.landing.manifest_rules import read_checked_manifest
from creditwh.landing.text_encoding import check_utf8

# Largest DECIMAL(18,2) value. A Parquet DECIMAL(18,2) column is stored as a 64-bit integer, which can hold
# values of 19 digits that readers pass through unchecked; such a value is an overflow, not an amount.
MAX_MONEY = Decimal("9999999999999999.99")


@dataclass(frozen=True)
class VerifiedDrop:
    business_date: dt.date
    drop_dir: Path
    manifest: dict
    manifest_sha256: str

    def path(self, dataset: Dataset) -> Path:
        # The manifest's `file` was checked to be exactly this name; the path never comes from input text.
        return self.drop_dir / dataset.file_name(self.business_date)

    @property
    def batch_id(self) -> str:
        return f"{self.business_date:%Y%m%d}-{self.manifest_sha256[:12]}"


def verify_drop(drop_dir: Path, business_date: dt.date) -> VerifiedDrop:
    manifest, manifest_sha = read_checked_manifest(drop_dir, business_date)
    check_drop_listing(drop_dir, business_date)
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
    check_regular_file(path)
    expected = drop.manifest["files"][dataset.name]["sha256"]
    actual = sha256_file(path).sha256
    if actual != expected:
        raise DropRejected(path, "checksum", f"sha256 is {actual}, manifest says {expected}")
    return path


def _verify_file(con: duckdb.DuckDBPyConnection, drop: VerifiedDrop, dataset: Dataset) -> None:
    entry = drop.manifest["files"][dataset.name]
    path = verify_checksum(drop, dataset)
    check_columns(con, path, dataset)
    check_utf8(path, dataset)
    records = _check_values(con, drop, dataset, path)
    if records != entry["records"]:
        raise DropRejected(path, "record_count", f"{records} records, manifest says {entry['records']}")
    _, totals = control_totals(con, "read_parquet(?)", dataset.name, [str(path)])
    for column, value in totals.items():
        expected = entry["control_totals"][column]
        if Decimal(expected) != Decimal(value):
            raise DropRejected(path, "control_total", f"sum({column}) is {value}, manifest says {expected}")


def _check_values(con: duckdb.DuckDBPyConnection, drop: VerifiedDrop, dataset: Dataset, path: Path) -> int:
    """One pass: the first row stamped with another date, the first row of each money column beyond
    DECIMAL(18,2). Returns the row count."""
    money = [c for c, t in dataset.columns.items() if t == MONEY]
    probes = [
        "count(*)",
        "min(file_row_number) filter (where business_date is distinct from $date)",
        "any_value(business_date) filter (where business_date is distinct from $date)",
        *(f"min(file_row_number) filter (where abs({c}) > $max_money)" for c in money),
    ]
    sql = f"select {', '.join(probes)} from read_parquet($path, file_row_number = true)"
    params = {"path": str(path), "date": drop.business_date} | ({"max_money": MAX_MONEY} if money else {})
    try:
        row = con.execute(sql, params).fetchone()
    except duckdb.Error as exc:
        raise DropRejected(path, "readable", f"not a readable Parquet file: {exc}") from exc
    records, bad_date_row, bad_date = row[0], row[1], row[2]
    if bad_date_row is not None:
        raise DropRejected(
            path,
            "business_date",
            f"row stamped {bad_date}, drop is for {drop.business_date}",
            row=bad_date_row + 1,
        )
    for column, bad_row in zip(money, row[3:], strict=False):
        if bad_row is not None:
            raise DropRejected(
                path, "money_range", f"column {column}: value beyond DECIMAL(18,2)", row=bad_row + 1
            )
    return records
