"""A data file's declared columns and types against the contract, before any value is read.

The contract's types are the contract: a column of another physical type is rejected, never cast, even when
its values would convert (12.5 days past due would load as 12, money with three decimals would be rounded,
text that happens to parse as a number or a date would load as one).

Accepted besides the exact type, because the cast to the contract's type is exact for every possible value
(the value loaded is the value delivered) and ordinary Parquet writers produce them:

* INTEGER: TINYINT, SMALLINT, UTINYINT, USMALLINT (every value fits a 32-bit signed integer). BIGINT and
  UINTEGER are rejected: they can hold values INTEGER cannot.
* DECIMAL(18,2): DECIMAL(p,2) with p <= 18 (a writer may declare the column's own precision). Any other
  scale is rejected: more places means rounding, fewer usually means another unit.
* TIMESTAMP: Parquet timestamps in ms or s read as TIMESTAMP already; TIMESTAMP_NS (would be truncated)
  and TIMESTAMP WITH TIME ZONE (an instant, not the platform's wall-clock time) are rejected.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from creditwh.contract import MONEY, Dataset
from creditwh.errors import DropRejected

EXACT_WIDENINGS = {
    "INTEGER": {"INTEGER", "SMALLINT", "TINYINT", "USMALLINT", "UTINYINT"},
}
DECIMAL_TYPE = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def accepts(contract_type: str, found: str) -> bool:
    if found == contract_type or found in EXACT_WIDENINGS.get(contract_type, ()):
        return True
    if contract_type == MONEY and (m := DECIMAL_TYPE.fullmatch(found)):
        return int(m[1]) <= 18 and int(m[2]) == 2
    return False


def check_columns(con: duckdb.DuckDBPyConnection, path: Path, dataset: Dataset) -> None:
    try:
        schema = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise DropRejected(path, "readable", f"not a readable Parquet file: {exc}") from exc
    found = {row[0]: row[1] for row in schema}
    missing = [c for c in dataset.columns if c not in found]
    extra = [c for c in found if c not in dataset.columns]
    if missing or extra:
        raise DropRejected(path, "columns", f"missing columns {missing}, unexpected columns {extra}")
    wrong = [(c, found[c], t) for c, t in dataset.columns.items() if not accepts(t, found[c])]
    if wrong:
        raise DropRejected(
            path,
            "column_type",
            "; ".join(f"column {c}: found {f}, expected {t}" for c, f, t in wrong),
        )
