"""Shared helpers: small books run for a few days, and a behaviour in which nobody pays."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from creditwh.simulate import Behaviour, CardPlatform, DaySnapshot, SimConfig

START = dt.date(2026, 1, 1)
NOBODY = (0.0, 0.0, 0.0, 0.0)
# Every statement is missed and nobody cures, whatever collections do (no promise kept, no payment after a
# contact or a reminder, no payment cancelled): DPD only ever grows, by exactly one a day, unless a test
# schedules a payment.
NOBODY_PAYS = Behaviour(p_full=NOBODY, p_min=NOBODY, p_partial_ok=NOBODY, p_late=NOBODY, p_partial_low=NOBODY,
                        cure_base=NOBODY, p_stay=0.0, p_roll_partial=0.0, p_reversal=NOBODY,
                        p_keep_promise=NOBODY, p_pay_after_contact=0.0, p_roll_after_broken_promise=0.0,
                        p_reminder_lift=0.0)  # fmt: skip


def run(cfg: SimConfig, days: int) -> tuple[CardPlatform, list[DaySnapshot]]:
    platform = CardPlatform(cfg)
    return platform, [platform.step() for _ in range(days)]


def rows_by_id(tbl: pa.Table, key: str = "account_id") -> dict[str, dict]:
    return {r[key]: r for r in tbl.to_pylist()}


@pytest.fixture(scope="session")
def book_45_days() -> list[DaySnapshot]:
    """3,000 accounts for 45 days with boosted event rates, so every status path occurs."""
    cfg = SimConfig(n_accounts=3000, start_date=START, seed=7, p_fraud=0.0005, p_close_request=0.002,
                    p_close_inactive=0.004, p_recovery=0.05, p_settle_in_full=0.3, p_debt_sale=0.01,
                    new_account_rate=0.002)  # fmt: skip
    return run(cfg, 45)[1]


def account_numbers(tbl: pa.Table):
    """Row index of each row's account (A0000000001 -> 0)."""
    import pyarrow.compute as pc

    return pc.cast(pc.utf8_slice_codeunits(tbl["account_id"], 1), pa.int64()).to_numpy() - 1


def dense(tbl: pa.Table, column: str, size: int, fill=-1):
    """A column as a numpy array indexed by account number (A0000000001 -> 0); `fill` where absent."""
    import numpy as np
    import pyarrow.compute as pc

    rows = account_numbers(tbl)
    values = tbl[column]
    if pa.types.is_date(values.type):
        values = pc.cast(values, pa.int32())
    if pa.types.is_decimal(values.type):
        values = pc.cast(pc.multiply(values, 100), pa.int64())
    if pa.types.is_string(values.type):
        out = np.full(size, None, dtype=object)
        out[rows] = values.to_pylist()
        return out
    out = np.full(size, fill, dtype=np.int64)
    out[rows] = values.fill_null(fill).to_numpy()
    return out


@pytest.fixture(scope="session")
def accounts_by_day(book_45_days) -> list[dict[str, dict]]:
    return [rows_by_id(s.accounts) for s in book_45_days]
