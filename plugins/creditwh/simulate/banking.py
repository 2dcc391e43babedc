"""When a received payment posts: the platform posts card and branch payments at once, but payments that
clear through the banks (autopay pulls, ACH transfers, mailed cheques) only on a banking day, effective the
day the money was received. Day numbers are days since 1970-01-01, as everywhere in the simulator."""

from __future__ import annotations

import numpy as np

from creditwh.simulate import ledger

# Channels whose payments wait for a banking day; card and branch payments post the day they are made.
CLEARED_BY_BANKS = np.array([ledger.AUTOPAY, ledger.ACH, ledger.MAIL], dtype=np.int8)


def holidays(days: np.ndarray, month_days: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The (month, day) bank holidays of every year the days span (and the next, for rolling forward)."""
    years = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[Y]")
    first, last = (
        (int(years.min().astype(np.int64)), int(years.max().astype(np.int64)) + 1) if len(years) else (0, -1)
    )
    return np.array(
        [
            np.datetime64(f"{1970 + year:04d}-{month:02d}-{day:02d}", "D")
            for year in range(first, last + 1)
            for month, day in month_days
        ],
        dtype="datetime64[D]",
    )


def next_banking_day(days: np.ndarray, month_days: tuple[tuple[int, int], ...]) -> np.ndarray:
    """Each day itself if it is a weekday and no bank holiday, else the next such day."""
    days = np.asarray(days, dtype=np.int64)
    if len(days) == 0:
        return days
    rolled = np.busday_offset(
        days.astype("datetime64[D]"), 0, roll="forward", holidays=holidays(days, month_days)
    )
    return rolled.astype(np.int64)


def posting_days(rng: np.random.Generator, received: np.ndarray, channel: np.ndarray, cfg) -> np.ndarray:
    """Posting day of payments received on `received` through `channel`: a share of mailed cheques waits
    1..mail_delay_max_days in lockbox processing; bank-cleared payments then wait for a banking day."""
    k = len(received)
    delayed = (channel == ledger.MAIL) & (rng.random(k) < cfg.mail_delay_share)
    lag = np.where(delayed, rng.integers(1, cfg.mail_delay_max_days + 1, k), 0)
    posted = np.asarray(received, dtype=np.int64) + lag
    cleared = np.isin(channel, CLEARED_BY_BANKS)
    return np.where(cleared, next_banking_day(posted, cfg.bank_holidays), posted)
