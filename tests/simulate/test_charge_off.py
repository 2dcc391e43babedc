"""Charge-off at the configured DPD threshold (default and non-default)."""

import datetime as dt
import itertools

import numpy as np
import pytest
from creditwh.simulate import SimConfig

from .conftest import NOBODY_PAYS, START, dense, run


@pytest.mark.parametrize("threshold", [180, 90])
def test_accounts_charge_off_on_the_day_dpd_reaches_the_threshold(threshold):
    cfg = SimConfig(
        n_accounts=1500, start_date=START, seed=21, charge_off_dpd=threshold, behaviour=NOBODY_PAYS
    )
    _, snaps = run(cfg, 40)
    size, charged_off = 5000, 0
    for before, today in itertools.pairwise(snaps):
        status, old_status = (
            dense(today.accounts, "account_status", size),
            dense(before.accounts, "account_status", size),
        )
        dpd, old_dpd = (
            dense(today.accounts, "days_past_due", size),
            dense(before.accounts, "days_past_due", size),
        )
        assert (dpd[status == "OPEN"] < threshold).all()
        new = (old_status == "OPEN") & (status == "CHARGED_OFF")
        reason = dense(today.accounts, "status_reason", size)
        by_dpd = new & (reason == "DPD_THRESHOLD")
        assert (dpd[by_dpd] == threshold).all() and (old_dpd[by_dpd] == threshold - 1).all()
        today_number = (today.business_date - dt.date(1970, 1, 1)).days
        assert (dense(today.accounts, "charge_off_date", size)[by_dpd] == today_number).all()
        amount = dense(today.accounts, "charge_off_amount", size)
        balance = dense(today.accounts, "current_balance", size)
        assert (amount[by_dpd] == balance[by_dpd]).all() and (amount[by_dpd] > 0).all()
        charged_off += int(by_dpd.sum())
    assert charged_off >= 5


def test_charged_off_accounts_keep_their_charge_off_fields(book_45_days):
    for snap in book_45_days[::9]:
        rows = [r for r in snap.accounts.to_pylist() if r["account_status"] == "CHARGED_OFF"]
        assert rows
        for r in rows:
            assert r["status_reason"] in ("DPD_THRESHOLD", "FRAUD")
            assert r["charge_off_date"] is not None and r["charge_off_amount"] is not None
            assert r["current_balance"] > 0
            assert r["charge_off_date"] <= snap.business_date
        assert np.mean([r["current_balance"] <= r["charge_off_amount"] for r in rows]) > 0.95
