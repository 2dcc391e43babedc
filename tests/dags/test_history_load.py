"""The history load (credit_history_load) against the daily path: the same drops — five days across a
month end — run date by date through credit_daily (and the bureau DAG after the month end) in one data
directory, and in one history-load run in another; then the next date's daily run in both. Every table the
marts build holds must be equal, row for row (but for the runs' own bookkeeping stamps), after the history
load and after the daily run that follows it; the history load publishes nothing."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from built_tables import built_tables, differences
from creditwh import airflow_env
from creditwh.config import settings
from creditwh.errors import DropMissing

pytestmark = pytest.mark.slow

START, DAYS = dt.date(2026, 1, 29), 5  # 29 Jan to 2 Feb: the 31 Jan month end inside
DATES = [START + dt.timedelta(days=i) for i in range(DAYS)]
NEXT_DATE = DATES[-1] + dt.timedelta(days=1)  # the first daily run after the history


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    from creditwh.simulate import SimConfig, simulate_to_landing

    landing = tmp_path_factory.mktemp("history") / "landing"
    simulate_to_landing(SimConfig(n_accounts=300, start_date=START, seed=5), DAYS + 1, landing)
    return landing


def _data_dir(tmp_path_factory, landing, name):
    data_dir = tmp_path_factory.mktemp(name)
    shutil.copytree(landing, data_dir / "landing")
    return data_dir


@pytest.fixture(scope="module")
def daily_path(tmp_path_factory, landing, airflow_db):
    """Tables after the daily runs of the history's dates, and after the next date's run."""
    data_dir = _data_dir(tmp_path_factory, landing, "daily")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(data_dir))
        airflow_env.run_dates("credit_daily", DATES, progress=lambda _: None)
        after_history = built_tables(settings().warehouse_path)
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return after_history, built_tables(settings().warehouse_path)


@pytest.fixture(scope="module")
def history_load(tmp_path_factory, landing, airflow_db):
    """Tables after the history load, what it left in the outbox, the dates its marts gate passed; then the
    tables after the next date's daily run."""
    data_dir = _data_dir(tmp_path_factory, landing, "bulk")
    said = []
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(data_dir))
        states = airflow_env.run_dates("credit_history_load", [DATES[-1]], conf={"start": str(START)},
                                       progress=said.append)  # fmt: skip
        assert states == ["success"], said
        s = settings()
        after_history = built_tables(s.warehouse_path)
        published = sorted(p for p in s.outbox_dir.rglob("*") if p.is_file()) if s.outbox_dir.exists() else []
        with duckdb.connect(str(s.warehouse_path), read_only=True) as con:
            passed = [r[0] for r in con.execute("select business_date from reporting.marts_passed_dates order by 1")
                      .fetchall()]  # fmt: skip
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return after_history, published, passed, built_tables(s.warehouse_path)


def test_the_history_load_builds_the_tables_the_daily_runs_build(daily_path, history_load):
    daily, bulk = daily_path[0], history_load[0]
    assert {
        "marts.fct_account_daily",
        "restricted.rpt_bureau_accounts",
        "restricted.snap_customers",
    } <= daily.keys()
    assert (
        len({r[0] for r in bulk["marts.fct_account_daily"]}) == DAYS
        and bulk["restricted.rpt_bureau_accounts"]
    )
    assert differences(daily, bulk) == []


def test_the_daily_run_after_the_history_load_continues_it_as_after_daily_runs(daily_path, history_load):
    assert differences(daily_path[1], history_load[3]) == []


def test_the_history_load_passes_the_marts_gate_for_every_date_and_publishes_nothing(history_load):
    _, published, passed, _ = history_load
    assert passed == DATES
    assert published == []


def test_a_range_with_a_missing_day_fails_naming_it(tmp_path, monkeypatch, landing):
    from creditwh.pipeline.history import drop_dates

    shutil.copytree(landing, tmp_path / "landing")
    shutil.rmtree(tmp_path / "landing" / str(DATES[2]))
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path))
    with pytest.raises(DropMissing, match=rf"no drop for {DATES[2]} in .*; 1 of the 5 dates from {START} to "
                                          rf"{DATES[-1]} have no drop: the history load needs every day"):  # fmt: skip
        drop_dates(START, DATES[-1], settings())
