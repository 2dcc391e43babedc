"""DPD on the platform's own files: boundaries at the due date, partial payments, cures."""

import datetime as dt
import itertools
from decimal import Decimal

import numpy as np
import pyarrow.compute as pc
from creditwh.simulate import CardPlatform, SimConfig

from .conftest import NOBODY_PAYS, START, account_numbers, dense, rows_by_id


def _fresh_current_account(snap):
    """An open account, current, whose newest statement (with a minimum) falls due in 5..20 days."""
    acc = snap.accounts
    due_in = pc.days_between(
        pc.cast(acc["business_date"], "timestamp[s]"), pc.cast(acc["payment_due_date"], "timestamp[s]")
    )
    mask = pc.and_(
        pc.and_(pc.equal(acc["days_past_due"], 0), pc.greater(acc["minimum_payment_due"], 0)),
        pc.and_(pc.greater_equal(due_in, 5), pc.less_equal(due_in, 20)),
    )
    mask = pc.and_(mask, pc.equal(acc["account_status"], "OPEN"))
    return acc.filter(mask).to_pylist()[0]


def _follow(platform, account):
    """advance_to(day): step the platform to `day`, recording the account's row of each day in by_day."""
    by_day = {}

    def advance_to(day):
        while platform.business_date < day:
            snap = platform.step()
            by_day[snap.business_date] = rows_by_id(snap.accounts)[account]

    return by_day, advance_to


def test_missed_minimum_partial_payment_and_cure():
    platform = CardPlatform(SimConfig(n_accounts=800, start_date=START, seed=11, behaviour=NOBODY_PAYS))
    grace, tolerance = platform.cfg.grace_days, Decimal(platform.cfg.dpd_tolerance_cents) / 100
    target = _fresh_current_account(platform.step())
    account, due, minimum = target["account_id"], target["payment_due_date"], target["minimum_payment_due"]
    by_day, advance_to = _follow(platform, account)

    def day(n):
        return due + dt.timedelta(days=n)

    advance_to(day(9))
    # No delinquency during the grace days; once they run out, DPD counts from the due date itself.
    assert [by_day[day(n)]["days_past_due"] for n in range(grace + 2)] == [0] * (grace + 1) + [grace + 1]
    assert by_day[day(grace)]["amount_past_due"] == 0
    assert by_day[day(grace + 1)]["amount_past_due"] == minimum
    # Ten days late, one cent more than the tolerance short of the minimum: no cure.
    short = int((minimum - tolerance) * 100) - 1
    platform.schedule_payment(account, short, day(10))
    advance_to(day(31))
    assert by_day[day(10)]["days_past_due"] == 10
    assert by_day[day(10)]["amount_past_due"] == tolerance + Decimal("0.01")
    assert by_day[day(10)]["last_payment_amount"] == Decimal(short) / 100
    assert by_day[day(30)]["days_past_due"] == 30
    days = sorted(by_day)
    for a, b in itertools.pairwise(
        days
    ):  # DPD rises by exactly the elapsed days, the partial payment included
        if by_day[a]["days_past_due"] > 0:
            assert by_day[b]["days_past_due"] == by_day[a]["days_past_due"] + 1

    # Pay everything owed (past due and the minimums falling due meanwhile): DPD back to 0 the same day.
    owed = int(by_day[day(31)]["current_balance"] * 100)
    assert by_day[day(31)]["cycles_past_due"] >= 1
    platform.schedule_payment(account, owed, day(32))
    advance_to(day(32))
    cured = by_day[day(32)]
    assert (cured["days_past_due"], cured["cycles_past_due"], cured["amount_past_due"]) == (0, 0, 0)
    assert cured["last_payment_amount"] == Decimal(owed) / 100


def test_an_amount_at_the_tolerance_counts_as_paid():
    platform = CardPlatform(SimConfig(n_accounts=800, start_date=START, seed=11, behaviour=NOBODY_PAYS))
    grace, tolerance = platform.cfg.grace_days, Decimal(platform.cfg.dpd_tolerance_cents) / 100
    target = _fresh_current_account(platform.step())
    account, due, minimum = target["account_id"], target["payment_due_date"], target["minimum_payment_due"]
    by_day, advance_to = _follow(platform, account)
    platform.schedule_payment(account, int((minimum - tolerance) * 100), due)  # exactly the tolerance unpaid
    advance_to(due + dt.timedelta(days=60))
    days = sorted(by_day)
    after = [d for d in days if d > due]
    late = [d for d in after if by_day[d]["days_past_due"] > 0]
    assert late, "nobody pays: the next minimum must go past due"
    # Current until the next statement's minimum runs out of grace; then DPD counts from that due date,
    # not from the one left short by the tolerance.
    start = late[0]
    assert all(by_day[d]["days_past_due"] == 0 for d in after if d < start)
    assert by_day[start]["days_past_due"] == grace + 1
    assert by_day[start]["payment_due_date"] == start - dt.timedelta(days=grace + 1)
    assert by_day[start]["amount_past_due"] == by_day[start]["minimum_payment_due"]
    assert by_day[due]["last_payment_amount"] == minimum - tolerance


def test_dpd_never_jumps_except_on_payments(book_45_days):
    size, grace = 10_000, SimConfig().grace_days
    for before, today in itertools.pairwise(book_45_days):
        old_dpd = dense(before.accounts, "days_past_due", size)
        old_status = dense(before.accounts, "account_status", size)
        dpd = dense(today.accounts, "days_past_due", size)
        due = dense(today.accounts, "payment_due_date", size)
        stmt = dense(today.accounts, "last_statement_date", size)
        paid = np.zeros(size, bool)
        paid[account_numbers(today.payments)] = True
        both = (old_dpd >= 0) & (dpd >= 0) & (old_status == "OPEN") & ~paid
        late = both & (old_dpd > 0)
        assert (dpd[late] == old_dpd[late] + 1).all()  # grows by exactly one day without a payment
        started = both & (old_dpd == 0) & (dpd > 0)
        # or starts at grace + 1, counted from the due date whose grace ran out yesterday: that is the
        # newest due date, unless a statement was cut since
        assert (dpd[started] == grace + 1).all()
        counted_from = (today.business_date - dt.date(1970, 1, 1)).days - grace - 1
        assert ((due[started] == counted_from) | (stmt[started] > counted_from)).all()
        assert started.any() or late.any()


def test_counters_are_consistent_with_the_last_statement(book_45_days):
    for snap in book_45_days[::5]:
        for row in snap.accounts.filter(pc.equal(snap.accounts["account_status"], "OPEN")).to_pylist():
            if row["days_past_due"] == 0:
                assert row["cycles_past_due"] == 0
            else:
                assert row["cycles_past_due"] >= 1 and row["amount_past_due"] > 0
                # the oldest unpaid due date is a due date: DPD ≥ days since the last statement's due date
                if row["payment_due_date"] < snap.business_date:
                    assert row["days_past_due"] >= (snap.business_date - row["payment_due_date"]).days
