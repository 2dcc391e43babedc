"""Weekend payments through the whole daily run: made on Saturday/Sunday, posted in Monday's drop with
their weekend effective date, they load, pass the raw gate (which used to demand payment date = business
date), and the warehouse counts them as received on the weekend."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from creditwh import airflow_env
from creditwh.config import settings
from creditwh.simulate import SimConfig, simulate_to_landing

pytestmark = pytest.mark.slow
START = dt.date(2026, 1, 1)  # a Thursday (and a bank holiday): 5 January is the first Monday
MONDAY = dt.date(2026, 1, 5)


def test_weekend_payments_posted_on_monday_load_and_count_from_the_weekend(tmp_path, monkeypatch, airflow_db):
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path))
    dates = [START + dt.timedelta(days=k) for k in range((MONDAY - START).days + 1)]
    simulate_to_landing(
        SimConfig(n_accounts=400, start_date=START, seed=11), len(dates), tmp_path / "landing"
    )

    states = airflow_env.run_dates("credit_daily", dates, progress=lambda _: None)
    assert states == ["success"] * len(dates), states  # the raw gate passed every day

    con = duckdb.connect(str(settings().warehouse_path), read_only=True)
    try:
        weekend = con.execute(
            "select p.account_id, p.effective_date, a.last_payment_date, s.effective_date "
            "from raw.payments p "
            "join marts.fct_account_daily a on a.account_id = p.account_id and a.business_date = p.business_date "
            "join staging.stg_payments s on s.payment_id = p.payment_id and s.business_date = p.business_date "
            "where p.business_date = ? and p.posting_date = ? and p.payment_type = 'PAYMENT' "
            "and p.effective_date in (?, ?)",
            [MONDAY, MONDAY, MONDAY - dt.timedelta(days=2), MONDAY - dt.timedelta(days=1)],
        ).fetchall()
        paid_monday = con.execute(
            "select count(*) from raw.payments where business_date = ? and effective_date = ?",
            [MONDAY, MONDAY],
        ).fetchone()[0]
    finally:
        con.close()
    assert len(weekend) >= 3 and paid_monday >= 1, (weekend, paid_monday)
    for account_id, effective, last_payment_date, staged_effective in weekend:
        assert staged_effective == effective
        assert last_payment_date >= effective, account_id
    # received on the weekend: the days since the last payment count from then, not from Monday
    assert any(last == effective < MONDAY for _, effective, last, _ in weekend), weekend
