"""The history load (credit_history_load) against the daily path: the same drops — five days across a
month end — run date by date through credit_daily (and the bureau DAG after the month end) in one data
directory, and in one history-load run in another; then the next date's daily run in both. Every table the
marts build holds must be equal, row for row (but for the runs' own bookkeeping stamps), after the history
load and after the daily run that follows it; the history load publishes nothing. The drops carry changes
of personal data before and after the month end: the month end's bureau records report each person as of
the month end in both paths, while the person dimension moves on."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from built_tables import built_tables, differences
from creditwh import airflow_env
from creditwh.config import settings
from creditwh.contract import CUSTOMERS
from creditwh.errors import DropMissing
from creditwh.landing.manifest import read_manifest, write_manifest

pytestmark = pytest.mark.slow

START, DAYS = dt.date(2026, 1, 29), 5  # 29 Jan to 2 Feb: the 31 Jan month end inside
DATES = [START + dt.timedelta(days=i) for i in range(DAYS)]
NEXT_DATE = DATES[-1] + dt.timedelta(days=1)  # the first daily run after the history


MONTH_END = dt.date(2026, 1, 31)
US_STATES = {"NY", "TX", "MA", "IL", "CA"}  # the simulator's US cities
NEW_STREET = "9 Migration Way"
NEW_LOCAL_NAME = "许新名"


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    """The simulated drops, with three changes of personal data added: a US consumer moves the day before
    the month end (MOVED_BEFORE) and another the day after it (MOVED_AFTER), same city; a PBOC consumer's
    name changes the day after it (RENAMED_AFTER). Returns the landing directory and {role: customer_id}."""
    from creditwh.simulate import SimConfig, simulate_to_landing

    landing = tmp_path_factory.mktemp("history") / "landing"
    simulate_to_landing(SimConfig(n_accounts=300, start_date=START, seed=5), DAYS + 1, landing)
    customers = pq.read_table(landing / str(START) / CUSTOMERS.file_name(START)).to_pylist()
    accounts = pq.read_table(landing / str(MONTH_END) / f"accounts_{MONTH_END:%Y%m%d}.parquet").to_pylist()
    holders = sorted({a["customer_id"] for a in accounts if a["account_status"] == "OPEN"})
    us = [c for c in holders for r in customers if r["customer_id"] == c and r["id_type"] == "SSN"
          and r["state_code"] in US_STATES]  # fmt: skip
    cn = [c for c in holders for r in customers if r["customer_id"] == c and r["id_type"] == "CN_RESIDENT_ID"]
    moved = {"MOVED_BEFORE": us[0], "MOVED_AFTER": us[1], "RENAMED_AFTER": cn[0]}
    _deliver_change(landing, DATES[1], moved["MOVED_BEFORE"], address_line1=NEW_STREET)
    _deliver_change(landing, MONTH_END + dt.timedelta(days=1), moved["MOVED_AFTER"], address_line1=NEW_STREET)
    _deliver_change(landing, MONTH_END + dt.timedelta(days=1), moved["RENAMED_AFTER"], local_name=NEW_LOCAL_NAME)
    return landing, moved


def _deliver_change(landing, day: dt.date, customer_id: str, **changes) -> None:
    """A new version of the customer in the day's drop: its latest delivered version with `changes`, updated
    at noon of the day; the drop's manifest is written again."""
    drop = landing / str(day)
    path = drop / CUSTOMERS.file_name(day)
    latest = None
    for earlier in sorted(p for p in landing.iterdir() if p.name <= str(day)):
        for row in pq.read_table(earlier / CUSTOMERS.file_name(dt.date.fromisoformat(earlier.name))).to_pylist():
            if row["customer_id"] == customer_id:
                latest = row
    assert latest is not None, customer_id
    version = {**latest, **changes, "business_date": day,
               "updated_at": dt.datetime.combine(day, dt.time(12))}  # fmt: skip
    table = pq.read_table(path)
    table = table.filter(pc.not_equal(table["customer_id"], customer_id))
    pq.write_table(pa.concat_tables([table, pa.Table.from_pylist([version], schema=table.schema)]), path)
    write_manifest(drop, day, read_manifest(drop, day)["source_system"])


def consumer_records(warehouse, moved: dict[str, str]) -> dict:
    """{role: (what the month end's bureau record says, what the person dimension says now)}: the first
    address line for the movers (Metro 2), the name for the renamed (PBOC)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        def one(sql, customer_id):
            rows = con.execute(sql, [customer_id]).fetchall()
            assert len(set(rows)) == 1, (sql, customer_id, rows)
            return rows[0][0]

        person = "(select person_id from intermediate.int_customer_person where customer_id = ?)"
        metro2 = ("select first_line_address from restricted.rpt_bureau_accounts "
                  f"where period_end = '{MONTH_END}' and customer_id = ?")  # fmt: skip
        pboc = f"select name from restricted.rpt_pboc_card_accounts where period_end = '{MONTH_END}' and person_id = {person}"
        now = f"select {{}} from restricted.dim_customer_pii where person_id = {person}"
        return {
            role: (one(pboc, c), one(now.format("local_name"), c)) if role.startswith("RENAMED")
            else (one(metro2, c), one(now.format("address_line1"), c))
            for role, c in moved.items()
        }


def _data_dir(tmp_path_factory, landing, name):
    data_dir = tmp_path_factory.mktemp(name)
    shutil.copytree(landing[0], data_dir / "landing")
    return data_dir


@pytest.fixture(scope="module")
def daily_path(tmp_path_factory, landing, airflow_db):
    """Tables after the daily runs of the history's dates, and after the next date's run; the changed
    consumers' records after the history's dates."""
    data_dir = _data_dir(tmp_path_factory, landing, "daily")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(data_dir))
        airflow_env.run_dates("credit_daily", DATES, progress=lambda _: None)
        after_history = built_tables(settings().warehouse_path)
        consumers = consumer_records(settings().warehouse_path, landing[1])
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return after_history, built_tables(settings().warehouse_path), consumers


@pytest.fixture(scope="module")
def history_load(tmp_path_factory, landing, airflow_db):
    """Tables after the history load, what it left in the outbox, the dates its marts gate passed; then the
    tables after the next date's daily run; the changed consumers' records after the history load."""
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
        consumers = consumer_records(s.warehouse_path, landing[1])
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return after_history, published, passed, built_tables(s.warehouse_path), consumers


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


@pytest.mark.parametrize("path", ["daily_path", "history_load"])
def test_the_month_end_records_report_each_consumer_as_of_the_month_end(path, request):
    """Metro 2 and the PBOC: a change after the month end stays out of the month end's records (a history
    load builds them after it was loaded), one before it is in; the person dimension has both changes."""
    consumers = request.getfixturevalue(path)[-1]
    period, now = {role: r[0] for role, r in consumers.items()}, {role: r[1] for role, r in consumers.items()}
    assert NEW_STREET.upper() in period["MOVED_BEFORE"].upper()
    assert period["MOVED_AFTER"] and NEW_STREET.upper() not in period["MOVED_AFTER"].upper()
    assert period["RENAMED_AFTER"] and period["RENAMED_AFTER"] != NEW_LOCAL_NAME
    assert NEW_STREET.upper() in now["MOVED_BEFORE"].upper() and NEW_STREET.upper() in now["MOVED_AFTER"].upper()
    assert now["RENAMED_AFTER"] == NEW_LOCAL_NAME


def test_the_history_load_passes_the_marts_gate_for_every_date_and_publishes_nothing(history_load):
    _, published, passed, *_ = history_load
    assert passed == DATES
    assert published == []


def test_a_range_with_a_missing_day_fails_naming_it(tmp_path, monkeypatch, landing):
    from creditwh.pipeline.history import drop_dates

    shutil.copytree(landing[0], tmp_path / "landing")
    shutil.rmtree(tmp_path / "landing" / str(DATES[2]))
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path))
    with pytest.raises(DropMissing, match=rf"no drop for {DATES[2]} in .*; 1 of the 5 dates from {START} to "
                                          rf"{DATES[-1]} have no drop: the history load needs every day"):  # fmt: skip
        drop_dates(START, DATES[-1], settings())
