"""Statement arithmetic and the minimum-payment rule, checked on the files the platform hands out."""

import itertools
from decimal import Decimal

import pyarrow.compute as pc
from creditwh.simulate import CardPlatform, SimConfig
from creditwh.simulate.arrow import date_of

from .conftest import START, rows_by_id, run

CENT = Decimal("0.01")


def _cuts(snaps):
    """(yesterday's row, today's row) for every account whose statement was cut today."""
    for before, today in itertools.pairwise(snaps):
        prev = rows_by_id(before.accounts)
        for row in today.accounts.filter(
            pc.equal(today.accounts["last_statement_date"], today.business_date)
        ).to_pylist():
            if row["account_id"] in prev and row["account_status"] == "OPEN":
                yield prev[row["account_id"]], row


def test_statement_balance_rolls_forward_without_interest_or_fees():
    cfg = SimConfig(n_accounts=1500, start_date=START, seed=3, apr=0.0, hardship_apr=0.0, late_fee_cents=0,
                    penalty_apr=0.0, annual_fee_cents=0, cash_advance_fee_pct=0.0,
                    instalment_fee_monthly_pct=0.0)  # fmt: skip
    _, snaps = run(cfg, 40)
    checked = 0
    for prev, row in _cuts(snaps):
        previous_statement = prev["statement_balance"] or Decimal(0)
        expected = (previous_statement + prev["ctd_purchase_amount"] + prev["ctd_cash_advance_amount"]
                    - prev["ctd_payment_amount"])  # fmt: skip
        assert row["statement_balance"] == expected, row["account_id"]
        assert row["statement_balance"] == prev["current_balance"]
        checked += 1
    assert checked > 1000


def test_statement_balance_includes_the_interest_and_fees_posted_at_the_cut():
    platform = CardPlatform(SimConfig(n_accounts=1500, start_date=START, seed=4))
    snaps, charges = [], []
    for _ in range(35):
        snaps.append(platform.step())
        charges.append((platform.acc.stmt_interest.copy(), platform.acc.stmt_fees.copy()))
    with_interest = 0
    for prev, row in _cuts(snaps):
        i = int(row["account_id"][1:]) - 1
        interest, fees = (Decimal(int(v[i])) / 100 for v in charges[(row["business_date"] - START).days])
        expected = ((prev["statement_balance"] or 0) + prev["ctd_purchase_amount"] + prev["ctd_cash_advance_amount"]
                    - prev["ctd_payment_amount"] + interest + fees)  # fmt: skip
        assert row["statement_balance"] == expected
        with_interest += interest > 0
    assert with_interest > 100


def test_minimum_payment_rule_and_due_date():
    cfg = SimConfig(n_accounts=1500, start_date=START, seed=5)
    _, snaps = run(cfg, 31)
    for _prev, row in _cuts(snaps):
        sb = row["statement_balance"]
        pct, floor = (
            (Decimal("0.01"), Decimal("10.00"))
            if row["hardship_flag"]
            else (Decimal("0.02"), Decimal("25.00"))
        )
        expected = Decimal(0) if sb <= 0 else min(sb, max(floor, (sb * pct).quantize(CENT)))
        assert abs(row["minimum_payment_due"] - expected) <= CENT  # rounding of half cents
        assert (row["payment_due_date"] - row["last_statement_date"]).days == cfg.due_days
        assert row["last_statement_date"].day == row["cycle_day"]


def test_cycle_to_date_counters_reset_at_the_cut():
    cfg = SimConfig(n_accounts=1500, start_date=START, seed=6)
    _, snaps = run(cfg, 31)
    for snap in snaps[1:]:
        paid_today = {}
        for p in snap.payments.to_pylist():
            if p["payment_type"] != "RECOVERY":
                paid_today[p["account_id"]] = paid_today.get(p["account_id"], 0) + p["payment_amount"]
        cut = snap.accounts.filter(pc.equal(snap.accounts["last_statement_date"], snap.business_date))
        for row in cut.to_pylist():
            assert row["ctd_payment_amount"] == paid_today.get(row["account_id"], 0)
            assert row["ctd_cash_advance_count"] <= 1


def test_date_helper_roundtrip():
    assert date_of(0).isoformat() == "1970-01-01"
