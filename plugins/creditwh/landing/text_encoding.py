"""Every string of a data file is valid UTF-8, checked before the load reads it.

Parquet readers do not reliably check this themselves: DuckDB validates a string column only when a query
materialises its values (``max(strlen(c))`` over invalid bytes succeeds, ``min(c)`` fails), so an invalid
value could pass verification and break the load, dbt or an extract later. Arrow's full validation checks
every value of a column at C speed; the file is read column by column and in batches.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from creditwh.contract import Dataset
from creditwh.errors import DropRejected

BATCH_ROWS = 1 << 16


def check_utf8(path: Path, dataset: Dataset) -> None:
    text = [c for c, t in dataset.columns.items() if t == "VARCHAR"]
    try:
        with pq.ParquetFile(path) as parquet:
            for column in text:  # one column at a time: memory is one column of one row group
                _check_column(path, parquet, column)
    except (OSError, pa.ArrowException) as exc:  # corrupt pages behind a valid footer
        raise DropRejected(path, "readable", f"not a readable Parquet file: {exc}") from exc


def _check_column(path: Path, parquet: pq.ParquetFile, column: str) -> None:
    offset = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=[column]):
        values = batch.column(0)
        if not _valid(values):
            row = offset + _first_invalid(values) + 1
            raise DropRejected(path, "utf8", f"column {column}: value is not valid UTF-8", row=row)
        offset += batch.num_rows


def _valid(values: pa.Array) -> bool:
    try:
        values.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _first_invalid(values: pa.Array) -> int:
    """Index of the first invalid value, by bisection over slices (no loop over rows)."""
    lo, hi = 0, len(values)  # the first invalid value lies in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _valid(values.slice(lo, mid - lo)):
            lo = mid
        else:
            hi = mid
    return lo
