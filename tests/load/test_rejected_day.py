"""A day the raw gate rejects is rolled back: it never becomes the "previous loaded day" of the next one, a
restated day that fails leaves the date's earlier accepted load in place, and a batch no gate judged is
rolled back by the next load. Real drops, real DuckDB, the real GX raw gate, through the DAG's task bodies."""

from __future__ import annotations

import json
import logging

import pytest
from creditwh.config import settings
from creditwh.pipeline import daily
from creditwh.quality import ValidationGateFailed
from load_helpers import query, quiet_open_account, raw_state, set_account_value
from sim_dates import business_dates


def _load_and_gate(s, day):
    daily.load(day, s)
    return daily.validate("raw", day, s)


def test_a_rejected_day_does_not_poison_the_next(data_dir):
    s = settings()
    day1, day2, day3 = business_dates(3)
    account = quiet_open_account(s, [day1, day2, day3])
    _load_and_gate(s, day1)
    # The platform sends day 2 with the account suddenly 30 days past due (it was current yesterday).
    set_account_value(s, day2, account, "days_past_due", 30, "cardsim-bad-dpd")
    daily.load(day2, s)
    with pytest.raises(ValidationGateFailed, match=f"dpd_continuity.*account_id={account}"):
        daily.validate("raw", day2, s)

    # Day 2 is not loaded as far as anyone can see ...
    assert query(s.warehouse_path, "select count(*) from raw.accounts where business_date = ?", [day2]) == [
        (0,)
    ]
    assert query(
        s.warehouse_path, "select count(*) from raw.load_batches where business_date = ?", [day2]
    ) == [(0,)]
    # ... and the operator finds why in the warehouse.
    [(batch, reason, rules, restored)] = query(
        s.warehouse_path,
        "select batch_id, reason, failed_rules, restored_batch_id from raw.rejected_batches where business_date = ?",
        [day2],
    )
    assert batch.startswith(f"{day2:%Y%m%d}-") and reason == "raw gate failed" and restored is None
    assert {"suite": "raw_accounts", "rule": "dpd_continuity"}.items() <= json.loads(rules)[0].items()

    # The next, correct day is compared with day 1 (two days earlier) and passes.
    assert _load_and_gate(s, day3)["critical_failures"] == 0
    assert query(s.warehouse_path, "select business_date, status from raw.load_batches order by 1") == [
        (day1, "accepted"),
        (day3, "accepted"),
    ]


def test_a_restated_day_that_fails_leaves_the_accepted_load_in_place(data_dir):
    s = settings()
    day1, day2 = business_dates(2)
    account = quiet_open_account(s, [day1, day2])
    for day in (day1, day2):
        _load_and_gate(s, day)
    accepted = raw_state(s.warehouse_path)

    set_account_value(s, day2, account, "days_past_due", 45, "cardsim-restated-bad")
    assert daily.load(day2, s)["replaced"]["accounts"] > 0
    with pytest.raises(ValidationGateFailed, match="dpd_continuity"):
        daily.validate("raw", day2, s)

    assert raw_state(s.warehouse_path) == accepted  # the very rows, load times and batch record of before
    restored = query(s.warehouse_path, "select restored_batch_id from raw.rejected_batches")
    assert restored == query(
        s.warehouse_path, "select batch_id from raw.load_batches where business_date = ?", [day2]
    )
    assert query(s.warehouse_path, "select count(*) from raw_prior.accounts") == [(0,)]


def test_a_restated_day_that_passes_replaces_the_accepted_load(data_dir):
    s = settings()
    day1, day2 = business_dates(2)
    for day in (day1, day2):
        _load_and_gate(s, day)
    account = quiet_open_account(s, [day2])
    set_account_value(s, day2, account, "credit_limit", 12345, "cardsim-restated-good")
    _load_and_gate(s, day2)
    assert query(
        s.warehouse_path,
        "select credit_limit from raw.accounts where business_date = ? and account_id = ?",
        [day2, account],
    ) == [(12345,)]
    assert query(
        s.warehouse_path, "select source_system, status from raw.load_batches where business_date = ?", [day2]
    ) == [("cardsim-restated-good", "accepted")]
    assert query(s.warehouse_path, "select count(*) from raw_prior.accounts") == [(0,)]


def test_a_batch_no_gate_judged_is_rolled_back_by_the_next_load(data_dir, caplog):
    s = settings()
    day1, day2, day3 = business_dates(3)
    _load_and_gate(s, day1)
    daily.load(day2, s)  # the run stops here (validate_raw never runs)
    with caplog.at_level(logging.WARNING, logger="creditwh.load.batches"):
        summary = daily.load(day3, s)
    undone = f"rolled back batch {summary_batch(s, day2)} of {day2}"
    assert summary["rolled_back"] == [
        f"{undone} (left pending by an unfinished run (killed or failed before the raw gate decided)); no earlier load"
    ]
    assert undone in caplog.text
    assert query(s.warehouse_path, "select business_date, status from raw.load_batches order by 1") == [
        (day1, "accepted"),
        (day3, "pending"),
    ]
    assert query(s.warehouse_path, "select count(*) from raw.accounts where business_date = ?", [day2]) == [
        (0,)
    ]
    assert _load_and_gate(s, day3)["critical_failures"] == 0


def test_dbt_refuses_a_date_whose_batch_is_not_accepted(data_dir):
    from creditwh.load.acceptance import BatchNotAccepted

    s = settings()
    day1, day2 = business_dates(2)
    _load_and_gate(s, day1)
    daily.load(day2, s)
    with pytest.raises(BatchNotAccepted, match=f"pending, not accepted by the raw gate: {day2}"):
        daily.transform(day1, s)
    with pytest.raises(BatchNotAccepted, match=f"pending, not accepted by the raw gate: {day2}"):
        daily.transform(day2, s)


def summary_batch(s, day) -> str:
    from creditwh.landing.verify import verify_drop

    return verify_drop(s.drop_dir(day), day).batch_id


def test_a_history_load_keeps_the_days_before_a_rejected_day_and_rolls_back_the_rest(data_dir):
    """The history load stages every date before the raw gate judges them side by side: the verdicts are
    settled in date order, so the days before the rejected one are accepted, the rejected one is rolled
    back with its failed rule, and every later day (judged on a history holding the rejected day) too."""
    from creditwh.pipeline import history

    s = settings()
    days = business_dates(4)
    account = quiet_open_account(s, days)
    set_account_value(s, days[2], account, "days_past_due", 30, "cardsim-bad-dpd")
    with pytest.raises(ValidationGateFailed, match=f"(?s)raw_gate failed for {days[2]}.*dpd_continuity.*{account}"):
        history.load_range(days[0], days[-1], s)

    assert query(s.warehouse_path, "select business_date, status from raw.load_batches order by 1") == [
        (days[0], "accepted"),
        (days[1], "accepted"),
    ]
    assert query(s.warehouse_path, "select count(*) from raw.accounts where business_date > ?", [days[1]]) == [(0,)]
    rejected = query(s.warehouse_path, "select business_date, reason from raw.rejected_batches order by 1")
    assert rejected == [
        (days[2], "raw gate failed"),
        (days[3], f"not judged: the raw gate rejected {days[2]}, earlier in the same history load"),
    ]
