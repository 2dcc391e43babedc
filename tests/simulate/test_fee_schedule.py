"""The bank's fee schedule (seed fee_schedule): its reader refuses a schedule the platform cannot honour, and
the simulated platform posts 罚息 and the annual fee as the schedule says, checked on the files it hands out."""

from decimal import Decimal

import pytest
from creditwh.fee_schedule import SCHEDULE_CSV, FeeScheduleError, fee_schedule
from creditwh.simulate import SimConfig

from .conftest import rows_by_id


def test_the_platform_defaults_are_the_seed():
    schedule, cfg = fee_schedule(), SimConfig()
    assert cfg.apr == float(schedule.amount("INTEREST")) / 100
    assert cfg.late_fee_cents == schedule.amount("LATE_FEE") * 100
    assert cfg.penalty_apr == float(schedule.amount("PENALTY_INTEREST")) / 100
    assert cfg.annual_fee_cents == schedule.amount("ANNUAL_FEE") * 100


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda text: text.replace("PER_ANNIVERSARY", "PER_YEAR"), "on basis PER_ANNIVERSARY"),
        (lambda text: text.replace(",,25.00", ",,-25.00"), "LATE_FEE needs amount >= 0"),
        (lambda text: text.replace(",18.00,", ",18.00,5.00"), "PENALTY_INTEREST needs rate_percent >= 0 and no amount"),
        (lambda text: text.replace(",,100.00", ",,100.005"), "whole cents"),
        (lambda text: "\n".join(line for line in text.splitlines() if "ANNUAL_FEE" not in line), "no row for ANNUAL_FEE"),
        (lambda text: text + "LATE_FEE,PER_CYCLE_PAST_DUE,,30.00\n", "is listed twice"),
    ],
)
def test_a_schedule_the_platform_cannot_honour_is_refused(tmp_path, edit, words):
    bad = tmp_path / "fee_schedule.csv"
    bad.write_text(edit(SCHEDULE_CSV.read_text()))
    with pytest.raises(FeeScheduleError, match=words) as refused:
        fee_schedule(bad)
    assert str(bad) in str(refused.value)


def _charges(snap, kind):
    return {r["account_id"]: r["charge_amount"] for r in snap.charges.to_pylist() if r["charge_type"] == kind}


def test_penalty_interest_and_annual_fee_follow_the_schedule(book_45_days):
    schedule = fee_schedule()
    penalty_rate = schedule.amount("PENALTY_INTEREST") / 100 / 12
    annual_fee = schedule.amount("ANNUAL_FEE")
    checked_penalty = checked_annual = 0
    for snap in book_45_days[1:]:
        day = snap.business_date
        accounts = rows_by_id(snap.accounts)
        paid = {p["account_id"] for p in snap.payments.to_pylist()}
        penalty, annual = _charges(snap, "PENALTY_INTEREST"), _charges(snap, "ANNUAL_FEE")
        cut = {a: r for a, r in accounts.items() if r["last_statement_date"] == day and r["account_status"] == "OPEN"}
        assert set(penalty) <= set(cut) and set(annual) <= set(cut)  # both post at the statement cut only
        for account_id, row in cut.items():
            opened = row["open_date"]
            months = (day.year - opened.year) * 12 + day.month - opened.month
            due = annual_fee if months >= 12 and months % 12 == 0 else Decimal(0)
            assert annual.get(account_id, Decimal(0)) == due, account_id
            checked_annual += due > 0
            if account_id in paid or row["hardship_flag"]:
                continue  # a payment today moved the amount past due after the cut
            expected = (row["amount_past_due"] * penalty_rate).quantize(Decimal("0.01"))
            assert abs(penalty.get(account_id, Decimal(0)) - expected) <= Decimal("0.01"), account_id
            checked_penalty += expected > 0
    assert checked_penalty > 20 and checked_annual > 20
