"""numpy -> pyarrow conversions without Python objects per row (the book has a million accounts).

Dates are int32 days since 1970-01-01 with NA_DAY for NULL; money is int64 cents.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NA_DAY = np.iinfo(np.int32).min
EPOCH = dt.date(1970, 1, 1)
MONEY_TYPE = pa.decimal128(18, 2)

ARROW_TYPES = {
    "DATE": pa.date32(),
    "DECIMAL(18,2)": MONEY_TYPE,
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR": pa.string(),
}


def day_of(d: dt.date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def _validity(valid: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    if valid is None or valid.all():
        return None, 0
    return pa.array(valid, type=pa.bool_()).buffers()[1], int((~valid).sum())


def money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """int64 cents -> decimal128(18, 2): the 16-byte little-endian value is the cents, sign-extended."""
    cents = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63
    bitmap, nulls = _validity(valid)
    return pa.Array.from_buffers(MONEY_TYPE, len(cents), [bitmap, pa.py_buffer(words)], null_count=nulls)


def dates(days: np.ndarray) -> pa.Array:
    days = np.ascontiguousarray(days, dtype=np.int32)
    bitmap, nulls = _validity(days != NA_DAY)
    return pa.Array.from_buffers(pa.date32(), len(days), [bitmap, pa.py_buffer(days)], null_count=nulls)


def int32s(values: np.ndarray) -> pa.Array:
    return pa.array(np.ascontiguousarray(values, dtype=np.int32), type=pa.int32())


def bools(values: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(values, dtype=bool), type=pa.bool_())


def timestamps_us(micros: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(micros, dtype=np.int64), type=pa.int64()).cast(pa.timestamp("us"))


def categories(labels: list[str | None], codes: np.ndarray) -> pa.Array:
    """Small vocabulary + integer codes -> string array (a None label gives NULL)."""
    return pa.array(labels, type=pa.string()).take(pa.array(np.asarray(codes, dtype=np.int32)))


def fixed_width_strings(chars: np.ndarray) -> pa.Array:
    """(n, w) uint8 ASCII/UTF-8 bytes -> string array of n values of w bytes each."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def digit_matrix(numbers: np.ndarray, width: int) -> np.ndarray:
    """Zero-padded decimal digits of non-negative ints as (n, width) ASCII bytes (loop over width, not rows)."""
    x = np.asarray(numbers, dtype=np.int64).copy()
    out = np.empty((len(x), width), dtype=np.uint8)
    for i in range(width - 1, -1, -1):
        out[:, i] = 48 + x % 10
        x //= 10
    return out


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'A' + zero-padded number, e.g. prefixed_ids('A', [7], 4) -> ['A0007']."""
    digits = digit_matrix(numbers, width)
    pre = np.frombuffer(prefix.encode(), dtype=np.uint8)
    return fixed_width_strings(np.hstack([np.broadcast_to(pre, (len(digits), len(pre))), digits]))


def nullable_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """As prefixed_ids, NULL where number < 0."""
    numbers = np.asarray(numbers, dtype=np.int64)
    ids = prefixed_ids(prefix, np.maximum(numbers, 0), width)
    valid = numbers >= 0
    if valid.all():
        return ids
    return pc.if_else(pa.array(valid), ids, pa.nulls(len(ids), pa.string()))


def table(columns: dict[str, str], arrays: dict[str, pa.Array]) -> pa.Table:
    """Assemble a table with exactly the contract's columns, in order and with the contract's types."""
    missing = set(columns) - set(arrays)
    extra = set(arrays) - set(columns)
    if missing or extra:
        raise ValueError(f"column mismatch: missing {sorted(missing)}, unexpected {sorted(extra)}")
    schema = pa.schema([pa.field(name, ARROW_TYPES[t]) for name, t in columns.items()])
    return pa.Table.from_arrays(
        [arrays[name].cast(schema.field(name).type) for name in columns], schema=schema
    )
