"""Statement calendar on day numbers (days since 1970-01-01); cycle days are 1..28 so every month has one."""

from __future__ import annotations

import numpy as np


def _month_start(day: np.ndarray) -> np.ndarray:
    return np.asarray(day, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")


def cycle_date(month: np.ndarray, cycle_day: np.ndarray) -> np.ndarray:
    return month.astype("datetime64[D]").astype(np.int64) + np.asarray(cycle_day, dtype=np.int64) - 1


def next_cycle(day, cycle_day: np.ndarray) -> np.ndarray:
    """First statement date strictly after day."""
    month = _month_start(np.broadcast_to(day, np.shape(cycle_day)))
    this = cycle_date(month, cycle_day)
    return np.where(this > np.asarray(day), this, cycle_date(month + 1, cycle_day))


def previous_cycle(day, cycle_day: np.ndarray, months_back: int | np.ndarray = 0) -> np.ndarray:
    """Last statement date strictly before day, or months_back statements before that one."""
    month = _month_start(np.broadcast_to(day, np.shape(cycle_day)))
    this = cycle_date(month, cycle_day)
    month = np.where(this < np.asarray(day), month, month - 1)
    return cycle_date(month - np.asarray(months_back, dtype=np.int64), cycle_day)


def anniversary_month(open_day: np.ndarray, day: int) -> np.ndarray:
    """Whether day falls in the calendar month an account opened, in a later year."""
    months = _month_start(day).astype(np.int64) - _month_start(open_day).astype(np.int64)
    return (months >= 12) & (months % 12 == 0)


def day_of_month(day: int) -> int:
    return (
        int((np.datetime64(int(day), "D") - np.datetime64(int(day), "D").astype("datetime64[M]")).astype(int))
        + 1
    )


def yyyymmdd(days: np.ndarray) -> np.ndarray:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    return year * 10_000 + month * 100 + (d - months.astype("datetime64[D]")).astype(np.int64) + 1
