"""check_consistency: vanished accounts against the previous period's delivered files, and the Date of First
Delinquency against a daily history (crafted here day by day, so the expected dates are known by hand)."""

from __future__ import annotations

import ast
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from creditwh.reporting.metro2 import write_metro2
from creditwh.reporting.metro2.consistency import Metro2ConsistencyError, check_consistency
from creditwh.reporting.metro2.spec import STATUSES_FINAL
from metro2_samples import HEADER, account, load_base

JAN = dt.date(2026, 1, 31)
DEC = dt.date(2025, 12, 31)
HISTORY_START = dt.date(2025, 9, 1)


def days(start: dt.date, end: dt.date):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


def load_history(con, rows: list[tuple[str, dt.date, int, dt.date | None]]) -> str:
    con.execute("CREATE SCHEMA IF NOT EXISTS hist")
    con.execute("""CREATE OR REPLACE TABLE hist.account_daily (account_id VARCHAR, business_date DATE,
                   days_past_due INTEGER, charge_off_date DATE)""")
    con.executemany("INSERT INTO hist.account_daily VALUES (?, ?, ?, ?)", rows)
    return "hist.account_daily"


def dpd_series(account_id: str, events: dict[dt.date, int], end: dt.date = JAN, charge_off=None):
    """Daily rows from HISTORY_START to `end`: DPD grows by one a day; `events` set the DPD on a day (a
    payment: 0 cures, a smaller number is a partial payment)."""
    dpd = 0
    rows = []
    for d in days(HISTORY_START, end):
        dpd = events.get(d, dpd + 1 if dpd else 0)
        rows.append((account_id, d, dpd, charge_off))
    return rows


def write(con, tmp_path: Path, name: str, rows: list[dict]) -> Path:
    load_base(con, name, rows)
    return write_metro2(con, name, None, HEADER, tmp_path / f"{name}.dat").path


def late(dofd: dt.date | None, status: str = "78", as_of: dt.date = JAN) -> dict:
    return {
        "account_status": status,
        "amount_past_due": Decimal(100),
        "date_first_delinquency": dofd,
        "date_account_information": as_of,
    }


def by_rule(report) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report.findings:
        out.setdefault(f.rule, set()).add(f.account_number)
    return out


# ------------------------------------------------------------------ first delinquency from the daily history


@pytest.fixture
def history(con):
    rows = []
    # PARTIAL: missed 27 Oct (DPD 1), 30 days late on 25 Nov; a partial payment on 20 Dec takes DPD from 55
    # to 25 without curing; 67 days past due on 31 Jan. DOFD = 25 Nov (not 31 Jan - 37 = 25 Dec).
    rows += dpd_series("PARTIAL", {dt.date(2025, 10, 27): 1, dt.date(2025, 12, 20): 25})
    # CURED: late from 1 Oct (30 on 30 Oct), cured on 15 Dec, missed again 16 Dec: 30 days late on 14 Jan.
    rows += dpd_series("CURED", {dt.date(2025, 10, 1): 1, dt.date(2025, 12, 15): 0, dt.date(2025, 12, 16): 1})
    # STEADY: missed 1 Dec, 30 on 30 Dec, 61 on 31 Jan.
    rows += dpd_series("STEADY", {dt.date(2025, 12, 1): 1})
    # OLDCO: charged off on 1 Mar 2025, long before the history window: its DOFD is not re-derived.
    rows += [("OLDCO", d, 400 + i, dt.date(2025, 3, 1)) for i, d in enumerate(days(HISTORY_START, JAN))]
    return load_history(con, rows)


def test_dofd_matches_the_daily_history(con, tmp_path, history):
    path = write(
        con,
        tmp_path,
        "good",
        [
            account("PARTIAL", **late(dt.date(2025, 11, 25))),
            account("CURED", **late(dt.date(2026, 1, 14), status="71")),
            account("STEADY", **late(dt.date(2025, 12, 30))),
            account("OLDCO", **late(dt.date(2024, 9, 1), status="97")),
            account("CURRENT"),  # status 11: not compared (the validator's dofd_current zero-fills it)
        ],
    )
    report = check_consistency(con, path, JAN, history=history)
    assert report.ok, report.findings
    assert (report.dofd_checked, report.dofd_bounded, report.dofd_frozen) == (3, 0, 1)


def test_late_dofd_after_a_partial_payment_and_a_cured_account_keeping_its_old_date(con, tmp_path, history):
    path = write(
        con,
        tmp_path,
        "bad",
        [
            # derived as period end - (DPD - 30): a month late
            account("PARTIAL", **late(dt.date(2025, 12, 26))),
            # the date of the delinquency before the cure
            account("CURED", **late(dt.date(2025, 10, 30), status="71")),
            account("STEADY", **late(dt.date(2025, 12, 30))),
        ],
    )
    report = check_consistency(con, path, JAN, history=history)
    assert by_rule(report) == {"dofd_history": {"PARTIAL", "CURED"}}
    details = {f.account_number: f.detail for f in report.findings}
    assert "DOFD 12262025 in the file, the daily history gives 11252025" in details["PARTIAL"]
    assert "DOFD 10302025 in the file, the daily history gives 01142026" in details["CURED"]
    assert "last current on 2025-12-15" in details["CURED"]
    with pytest.raises(Metro2ConsistencyError) as exc:
        report.raise_for_errors()
    for part in ("account PARTIAL", "account CURED", "rule dofd_history", "12262025", "11252025"):
        assert part in str(exc.value)


def test_delinquent_through_the_whole_window_is_checked_as_a_bound(con, tmp_path, history):
    # 40-day window from 23 Dec: PARTIAL is past due on all of it (since 27 Oct), so its delinquency began
    # before the window: the DOFD may not be later than the first 30+ day seen (25 Dec at DPD 30)
    path = write(
        con,
        tmp_path,
        "bounded",
        [account("PARTIAL", **late(dt.date(2025, 11, 25))), account("STEADY", **late(dt.date(2025, 12, 30)))],
    )
    report = check_consistency(con, path, JAN, history=history, lookback_days=40)
    assert report.ok and report.dofd_bounded == 2
    later = write(con, tmp_path, "later", [account("PARTIAL", **late(dt.date(2026, 1, 2)))])
    report = check_consistency(con, later, JAN, history=history, lookback_days=40)
    assert by_rule(report) == {"dofd_history": {"PARTIAL"}}
    assert "at the latest" in report.findings[0].detail


def test_a_delinquent_record_without_history_is_an_error(con, tmp_path, history):
    path = write(con, tmp_path, "ghost", [account("GHOST", **late(dt.date(2025, 12, 1)))])
    report = check_consistency(con, path, JAN, history=history)
    assert by_rule(report) == {"dofd_history": {"GHOST"}}
    assert "has no past-due day of the account" in report.findings[0].detail


def test_a_date_missing_from_the_history_is_neither_a_cure_nor_a_shift(con, tmp_path, history):
    # no row at all on 30 Dec (STEADY's first day at DPD 30) nor on 1 Dec (CURED's re-delinquency, 16 Dec, is
    # unaffected): the dates the history holds decide what a current day is
    con.execute(f"DELETE FROM {history} WHERE business_date IN (DATE '2025-12-30', DATE '2025-12-01')")
    path = write(
        con,
        tmp_path,
        "gaps",
        [account("STEADY", **late(dt.date(2025, 12, 30))), account("PARTIAL", **late(dt.date(2025, 11, 25)))],
    )
    assert check_consistency(con, path, JAN, history=history).ok


def test_a_delinquent_record_the_history_shows_current_is_an_error(con, tmp_path, history):
    con.execute(
        f"UPDATE {history} SET days_past_due = 0 WHERE account_id = 'STEADY' AND business_date = ?", [JAN]
    )
    path = write(con, tmp_path, "current", [account("STEADY", **late(dt.date(2025, 12, 30)))])
    report = check_consistency(con, path, JAN, history=history)
    assert by_rule(report) == {"dofd_history": {"STEADY"}}
    assert "the daily history gives 00000000" in report.findings[0].detail
    assert "current again on 2026-01-31" in report.findings[0].detail


# ------------------------------------------------------------------ accounts that vanish


@pytest.fixture
def december(con, tmp_path, history) -> Path:
    return write(
        con,
        tmp_path,
        "december",
        [
            account("STEADY", date_account_information=DEC),
            account("SOLD", **late(dt.date(2025, 10, 1), status="97", as_of=DEC)),
            account("OPEN", date_account_information=DEC),
            account("PAID", account_status="13", payment_rating="0", current_balance=Decimal(0),
                    date_account_information=DEC),
            account("MOVED", account_status="05", payment_rating="0", date_account_information=DEC),
        ],
    )  # fmt: skip


def test_an_account_with_a_non_final_status_must_not_vanish(con, tmp_path, history, december):
    # SOLD (97) and OPEN (11) are gone from January; PAID (13) and MOVED (05) had their final record
    january = write(con, tmp_path, "january", [account("STEADY", **late(dt.date(2025, 12, 30)))])
    report = check_consistency(con, january, JAN, previous_paths=[december], history=history)
    assert by_rule(report) == {"vanished_account": {"SOLD", "OPEN"}}
    details = {f.account_number: f.detail for f in report.findings}
    assert details["SOLD"].startswith("reported with status 97 in december.dat, absent from this file")
    with pytest.raises(Metro2ConsistencyError, match="rule vanished_account"):
        report.raise_for_errors()
    # a correction file carries only the changed accounts: nothing can be missing from it
    assert check_consistency(con, january, JAN, previous_paths=[december], complete=False, history=history).ok


def test_the_last_delivered_record_counts(con, tmp_path, history, december):
    # December's correction sent SOLD's final record (05) and OPEN's closure (13): both may now disappear
    correction = write(
        con,
        tmp_path,
        "december_c01",
        [
            account("SOLD", account_status="05", payment_rating="L", date_account_information=DEC,
                    date_first_delinquency=dt.date(2025, 10, 1), correction_indicator=1),
            account("OPEN", account_status="13", payment_rating="0", current_balance=Decimal(0),
                    date_account_information=DEC, correction_indicator=1),
        ],
    )  # fmt: skip
    january = write(con, tmp_path, "january", [account("STEADY", **late(dt.date(2025, 12, 30)))])
    report = check_consistency(con, january, JAN, previous_paths=[december, correction], history=history)
    assert report.ok, report.findings


def test_the_reports_final_records_are_final_for_the_check():
    # the model's 'final' group (the statuses it sends once, then drops the account) must be statuses after
    # which the check lets an account go; a charge-off still owing (97) is not one of them
    macros = (
        Path(__file__).resolve().parents[3] / "dbt_project" / "macros" / "credit_status.sql"
    ).read_text()
    body = macros[macros.index("macro metro2_statuses(") :]
    groups = ast.literal_eval(re.search(r"set groups = (\{.*?\})\s*-?%\}", body, re.DOTALL).group(1))
    assert set(groups.get("final", [])) <= STATUSES_FINAL
    assert not (set(groups["past_due"]) | {"97", "11"}) & STATUSES_FINAL
