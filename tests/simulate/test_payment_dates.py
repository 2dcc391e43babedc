"""Posting date vs effective date: bank-cleared payments made on a weekend or holiday post on the next
banking day, mailed cheques often days later; card and branch payments post the day they are made."""

import datetime as dt
from collections import Counter

import pyarrow as pa
from creditwh.contract import PAYMENT_MAX_BACKDATE_DAYS
from creditwh.simulate import SimConfig

from .conftest import START, run

BANK_CLEARED = {"AUTOPAY", "ACH", "MAIL"}


def _payments(snaps) -> list[dict]:
    return pa.concat_tables([s.payments for s in snaps]).to_pylist()


def test_effective_date_within_the_back_dating_window(book_45_days):
    opened = {}
    for snap in book_45_days:
        opened.update(zip(snap.accounts["account_id"].to_pylist(), snap.accounts["open_date"].to_pylist(), strict=False))
        for p in snap.payments.to_pylist():
            assert p["posting_date"] == snap.business_date
            lag = (p["posting_date"] - p["effective_date"]).days
            assert 0 <= lag <= PAYMENT_MAX_BACKDATE_DAYS, p
            assert p["effective_date"] >= opened[p["account_id"]], p
            if p["payment_type"] != "PAYMENT" or p["payment_channel"] in ("CARD", "BRANCH"):
                assert lag == 0, p  # reversals, recoveries and real-time channels are not back-dated


def test_weekend_and_holiday_payments_post_on_the_next_banking_day(book_45_days):
    holiday = dt.date(2026, 1, 1)  # a Thursday, in SimConfig.bank_holidays
    lags = Counter()
    for p in _payments(book_45_days):
        if p["payment_type"] != "PAYMENT":
            continue
        posted, effective, channel = p["posting_date"], p["effective_date"], p["payment_channel"]
        if channel in BANK_CLEARED:
            assert posted.weekday() < 5 and posted != holiday, p
        if channel in ("AUTOPAY", "ACH") and effective != posted:
            # the next banking day, nothing later
            assert effective.weekday() >= 5 or effective == holiday, p
            assert all(
                (effective + dt.timedelta(days=d)).weekday() >= 5
                or effective + dt.timedelta(days=d) == holiday
                for d in range(1, (posted - effective).days)
            ), p
        lags[channel, (posted - effective).days] += 1
    weekend = sum(v for (c, lag), v in lags.items() if c in ("AUTOPAY", "ACH") and lag in (1, 2))
    same_day = sum(v for (c, lag), v in lags.items() if c in ("AUTOPAY", "ACH") and lag == 0)
    # about 2 of 7 calendar days are weekend days
    assert 0.15 < weekend / (weekend + same_day) < 0.40, lags
    # mailed cheques: most wait in processing, some 3+ days
    mail = {lag: v for (c, lag), v in lags.items() if c == "MAIL"}
    assert sum(v for lag, v in mail.items() if lag >= 3) > 0.25 * sum(mail.values()), mail
    assert lags["AUTOPAY", 1] + lags["AUTOPAY", 2] > 0  # autopay pulls due on a weekend


def test_payment_dates_are_deterministic_per_seed():
    cfg = SimConfig(n_accounts=400, start_date=START, seed=3)
    first, again = run(cfg, 12)[1], run(cfg, 12)[1]
    assert all(a.payments.equals(b.payments) for a, b in zip(first, again, strict=True))
    other = run(SimConfig(n_accounts=400, start_date=START, seed=4), 12)[1]
    assert not all(a.payments.equals(b.payments) for a, b in zip(first, other, strict=True))
