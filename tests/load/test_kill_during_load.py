"""SIGKILL during the raw load, then the same date again: the same rows as a clean run, no duplicates, no
lock left behind, no pending batch read as loaded; a killed restatement leaves the accepted day in place."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from creditwh.config import Settings, settings
from creditwh.pipeline import daily
from faults import kill_at
from load_helpers import query, quiet_open_account, raw_state, set_account_value
from sim_dates import business_dates

pytestmark = pytest.mark.slow


def _load_and_gate(s, day):
    daily.load(day, s)
    return daily.validate("raw", day, s)


def _clean_run(data_dir, days) -> dict:
    """The raw layer after a run of `days` that nobody killed (a private copy of the same drops)."""
    clean = Settings(data_dir=data_dir / "clean")
    shutil.copytree(data_dir / "landing", clean.landing_dir)
    for day in days:
        _load_and_gate(clean, day)
    return raw_state(clean.warehouse_path, portable=True)


def _no_lock_left(s) -> None:
    duckdb.connect(str(s.warehouse_path)).close()  # a writer can open the file: the killed process held none


@pytest.mark.parametrize("point", ["raw_load_before_commit", "raw_load_committed"])
def test_load_killed_then_rerun_gives_the_clean_rows(data_dir, point):
    s = settings()
    day1, day2 = business_dates(2)
    _load_and_gate(s, day1)
    kill_at(point, "load", day2.isoformat())

    _no_lock_left(s)
    accepted = query(
        s.warehouse_path,
        "select count(*) from raw.load_batches where business_date = ? and status = 'accepted'",
        [day2],
    )
    assert accepted == [(0,)]
    if point == "raw_load_before_commit":  # uncommitted: nothing of the day is in the file
        assert query(
            s.warehouse_path, "select count(*) from raw.accounts where business_date = ?", [day2]
        ) == [(0,)]

    rerun = daily.load(day2, s)
    assert bool(rerun["rolled_back"]) == (point == "raw_load_committed")  # the next load says what it undid
    daily.validate("raw", day2, s)
    assert query(s.warehouse_path, "select count(*) from raw.load_batches where status <> 'accepted'") == [
        (0,)
    ]
    assert raw_state(s.warehouse_path, portable=True) == _clean_run(data_dir, [day1, day2])


def test_restatement_killed_after_commit_keeps_the_accepted_day(data_dir):
    s = settings()
    day1, day2, day3 = business_dates(3)
    for day in (day1, day2):
        _load_and_gate(s, day)
    accepted = raw_state(s.warehouse_path)
    set_account_value(s, day2, quiet_open_account(s, [day2]), "credit_limit", 7777, "cardsim-restated")
    kill_at("raw_load_committed", "load", day2.isoformat())
    _no_lock_left(s)
    assert query(s.warehouse_path, "select status from raw.load_batches where business_date = ?", [day2]) == [
        ("pending",)
    ]

    _load_and_gate(s, day3)  # the next night's run undoes the restatement nobody judged, then loads its day
    state = raw_state(s.warehouse_path)
    for table, rows in accepted.items():
        key = 1 if table == "load_batches" else 0  # business_date's position
        assert [r for r in state[table] if r[key] != day3] == rows, table
    assert query(s.warehouse_path, "select reason from raw.rejected_batches") == [
        ("left pending by an unfinished run (killed or failed before the raw gate decided)",)
    ]
