"""Marts cannot be rolled back, so their gate's verdict is recorded per date and every publisher asks for it:
a date whose marts gate failed, never ran, ran on another raw batch, or whose marts dbt rebuilt since, is
never published."""

from __future__ import annotations

import pytest
from creditwh.config import settings
from creditwh.load.acceptance import (
    MartsNotPassed,
    prepare_marts_build,
    record_marts_verdict,
    require_marts_passed,
)
from creditwh.pipeline import daily
from creditwh.quality.gate import ExpectationOutcome, GateResult
from load_helpers import query, quiet_open_account, set_account_value
from sim_dates import business_dates

FAILED_RULE = ExpectationOutcome(
    suite="marts_aging_daily",
    rule="aging_matches_fact",
    expectation_type="unexpected_rows_expectation",
    column=None,
    severity="critical",
    success=False,
    observed=3,
)


def _require(s, day):
    import duckdb

    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        require_marts_passed(con, day)
    finally:
        con.close()


def _loaded(s, day):
    daily.load(day, s)
    daily.validate("raw", day, s)


def test_the_verdict_follows_the_gate_the_batch_and_the_build(data_dir):
    s = settings()
    (day,) = business_dates(1)
    _loaded(s, day)
    with pytest.raises(MartsNotPassed, match="no marts gate verdict"):
        _require(s, day)

    record_marts_verdict(s, GateResult("marts_gate", day, [FAILED_RULE]))
    with pytest.raises(
        MartsNotPassed, match=r"marts gate failed \(1 critical: marts_aging_daily.aging_matches_fact\)"
    ):
        _require(s, day)

    record_marts_verdict(s, GateResult("marts_gate", day))  # passed on the accepted batch
    _require(s, day)
    assert query(s.warehouse_path, "select business_date from reporting.marts_passed_dates") == [(day,)]

    prepare_marts_build(s, day)  # dbt starts rebuilding the date: its marts are unjudged again
    with pytest.raises(MartsNotPassed, match="has not run since dbt last built the date"):
        _require(s, day)

    record_marts_verdict(s, GateResult("marts_gate", day))
    set_account_value(s, day, quiet_open_account(s, [day]), "credit_limit", 4321, "cardsim-restated")
    _loaded(s, day)  # a restated batch is accepted; the marts still hold the old one's figures
    with pytest.raises(MartsNotPassed, match="the marts gate judged raw batch .*, the date now holds"):
        _require(s, day)
    assert query(s.warehouse_path, "select count(*) from reporting.marts_passed_dates") == [(0,)]


def test_publishers_refuse_a_date_whose_marts_gate_failed(data_dir):
    from creditwh.pipeline.extracts import publish_blacklist, publish_bureau

    s = settings()
    (day,) = business_dates(1)
    _loaded(s, day)
    record_marts_verdict(s, GateResult("marts_gate", day, [FAILED_RULE]))
    with pytest.raises(MartsNotPassed, match=f"marts of {day} may not be published: the marts gate failed"):
        publish_blacklist(day, s)
    with pytest.raises(MartsNotPassed, match=f"marts of {day} may not be published"):
        publish_bureau(day, s)
    assert not s.outbox_dir.exists() or not any(s.outbox_dir.rglob("*.*"))
