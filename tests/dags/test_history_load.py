"""The history load (credit_history_load) against the daily path: the same drops — five days across a
month end — run date by date through credit_daily (and the bureau DAG after the month end) in one data
directory, and in one history-load run in another; then the next date's daily run in both. Every table the
marts build holds must be equal, row for row (but for the runs' own bookkeeping stamps), after the history
load and after the daily run that follows it; the history load publishes nothing, and run as a catch-up
(param publish) it publishes the files the daily and bureau runs published (the daily lists' contact
details aside: the current ones). The drops carry changes
of personal data before and after the month end: the month end's bureau records report each person as of
the month end in both paths, while the person dimension moves on; and the persons' data as of the month end
(rpt_person_pii_at_period_end, which copies the person dimension for the persons not changed since) equals
its full recomputation from the snapshot."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

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
    """The simulated drops, with four changes of personal data added: a US consumer moves the day before
    the month end (MOVED_BEFORE) and another the day after it (MOVED_AFTER), same city; a PBOC consumer's
    name changes the day after it (RENAMED_AFTER); a US consumer's move comes in the month end's own drop
    but with a change time after that day (MOVED_IN_DROP_AFTER: the month end keeps the older address, on
    its own daily run too); and the day after the month end a new customer id is first delivered with a US
    consumer's identity and a new address (NEW_AFTER: it joins that consumer's person, whose month end
    knows nothing of it). Returns the landing directory, {role: customer_id} of the changed consumers and
    the new customer id."""
    from creditwh.simulate import SimConfig, simulate_to_landing

    landing = tmp_path_factory.mktemp("history") / "landing"
    simulate_to_landing(SimConfig(n_accounts=300, start_date=START, seed=5), DAYS + 1, landing)
    customers = pq.read_table(landing / str(START) / CUSTOMERS.file_name(START)).to_pylist()
    accounts = pq.read_table(landing / str(MONTH_END) / f"accounts_{MONTH_END:%Y%m%d}.parquet").to_pylist()
    holders = sorted({a["customer_id"] for a in accounts if a["account_status"] == "OPEN"})
    us = [c for c in holders for r in customers if r["customer_id"] == c and r["id_type"] == "SSN"
          and r["state_code"] in US_STATES]  # fmt: skip
    cn = [c for c in holders for r in customers if r["customer_id"] == c and r["id_type"] == "CN_RESIDENT_ID"]
    moved = {"MOVED_BEFORE": us[0], "MOVED_AFTER": us[1], "RENAMED_AFTER": cn[0], "MOVED_IN_DROP_AFTER": us[2]}
    _deliver_change(landing, DATES[1], moved["MOVED_BEFORE"], address_line1=NEW_STREET)
    _deliver_change(landing, MONTH_END + dt.timedelta(days=1), moved["MOVED_AFTER"], address_line1=NEW_STREET)
    _deliver_change(landing, MONTH_END + dt.timedelta(days=1), moved["RENAMED_AFTER"], local_name=NEW_LOCAL_NAME)
    _deliver_change(landing, MONTH_END, moved["MOVED_IN_DROP_AFTER"], address_line1=NEW_STREET,
                    at=dt.datetime.combine(MONTH_END + dt.timedelta(days=1), dt.time(1)))  # fmt: skip
    ids = {r["customer_id"] for d in landing.iterdir() for r in pq.read_table(
        d / CUSTOMERS.file_name(dt.date.fromisoformat(d.name)), columns=["customer_id"]).to_pylist()}  # fmt: skip
    new_id = f"C{int(max(ids)[1:]) + 1000:0{len(max(ids)) - 1}d}"
    _deliver_change(landing, MONTH_END + dt.timedelta(days=1), us[3], as_customer=new_id, address_line1=NEW_STREET)
    return landing, moved, new_id


def _deliver_change(landing, day: dt.date, customer_id: str, at: dt.datetime | None = None,
                    as_customer: str | None = None, **changes) -> None:  # fmt: skip
    """A new version of the customer in the day's drop: its latest delivered version with `changes`, updated
    at `at` (default: noon of the day); or, with `as_customer`, that new customer id's first version, the
    customer's own left as delivered. The drop's manifest is written again."""
    drop = landing / str(day)
    path = drop / CUSTOMERS.file_name(day)
    latest = None
    for earlier in sorted(p for p in landing.iterdir() if p.name <= str(day)):
        for row in pq.read_table(earlier / CUSTOMERS.file_name(dt.date.fromisoformat(earlier.name))).to_pylist():
            if row["customer_id"] == customer_id:
                latest = row
    assert latest is not None, customer_id
    version = {**latest, **changes, "business_date": day, "customer_id": as_customer or customer_id,
               "updated_at": at or dt.datetime.combine(day, dt.time(12))}  # fmt: skip
    table = pq.read_table(path)
    table = table.filter(pc.not_equal(table["customer_id"], version["customer_id"]))
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


def period_pii(warehouse, tmp: Path, landing) -> dict[str, dict]:
    """The month end's rpt_person_pii_at_period_end rows ("model"), the same recomputed in full from the
    snapshot ("recomputed": analysis person_pii_at_period_end_recomputed, the model's SQL before it copied
    dim_customer_pii), and what copying dim_customer_pii for every bureau person would give ("copied");
    each {person_id: row}; and the person of each changed consumer ("persons": {role: person_id}, NEW_AFTER
    the new customer id's, once delivered)."""
    from creditwh.transform.dbt import PROJECT_DIR, dbt_env, release_dbt_connection
    from dbt.cli.main import dbtRunner

    with pytest.MonkeyPatch.context() as env:
        for key, value in dbt_env(settings()).items():
            env.setenv(key, value)
        try:
            result = dbtRunner().invoke([
                "compile", "--select", "person_pii_at_period_end_recomputed", "--no-introspect",
                "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target-path",
                str(tmp / "target"), "--log-path", str(tmp), "--vars", f"{{business_date: '{MONTH_END}'}}", "--quiet",
            ])
        finally:
            release_dbt_connection()
    assert result.success, result.exception
    (recomputed_sql,) = [r.node.compiled_code for r in result.result.results]
    columns = "person_id, family_name, given_name, full_name, local_name, id_type, id_number, id_number_is_valid, " \
              "birth_date, mobile_phone, mobile_phone_is_valid, address_line1, address_line2, city, state_code, " \
              "postal_code, has_identity_conflict"  # fmt: skip
    queries = {
        "model": f"select {columns} from restricted.rpt_person_pii_at_period_end where period_end = '{MONTH_END}'",
        "recomputed": f"select {columns} from ({recomputed_sql}) as recomputed",
        "copied": f"select {columns} from restricted.dim_customer_pii where person_id in ("
                  "select person_id from intermediate.int_person_bureau_jurisdiction where bureau is not null)",
    }  # fmt: skip
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = {name: {row[0]: row for row in con.execute(sql).fetchall()} for name, sql in queries.items()}
        person = "select person_id from intermediate.int_customer_person where customer_id = ?"
        changed = {**landing[1], "NEW_AFTER": landing[2]}
        found["persons"] = {role: row[0] for role, c in changed.items() if (row := con.execute(person, [c]).fetchone())}
    return found


def _data_dir(tmp_path_factory, landing, name):
    data_dir = tmp_path_factory.mktemp(name)
    shutil.copytree(landing[0], data_dir / "landing")
    return data_dir


@pytest.fixture(scope="module")
def daily_path(tmp_path_factory, landing, airflow_db):
    """Tables after the daily runs of the history's dates, and after the next date's run; the persons' data
    as of the month end after its own run (period_pii); the changed consumers' records after the history's
    dates."""
    data_dir = _data_dir(tmp_path_factory, landing, "daily")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(data_dir))
        through_month_end = [d for d in DATES if d <= MONTH_END]
        airflow_env.run_dates("credit_daily", through_month_end, progress=lambda _: None)
        pii = period_pii(settings().warehouse_path, data_dir, landing)  # on the month end's own run
        airflow_env.run_dates("credit_daily", DATES[len(through_month_end):], progress=lambda _: None)
        after_history = built_tables(settings().warehouse_path)
        consumers = consumer_records(settings().warehouse_path, landing[1])
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return after_history, built_tables(settings().warehouse_path), outbox_files(), pii, consumers


def outbox_files() -> dict[str, bytes]:
    """Every file in the outbox, by its path under it (staging areas left out)."""
    outbox = settings().outbox_dir
    return {str(p.relative_to(outbox)): p.read_bytes() for p in sorted(outbox.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(outbox).parts)}  # fmt: skip


@pytest.fixture(scope="module")
def catch_up(tmp_path_factory, landing, airflow_db):
    """The outbox after a history load that publishes (`creditwh catch-up`) and the next date's daily run."""
    data_dir = _data_dir(tmp_path_factory, landing, "catchup")
    said = []
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(data_dir))
        states = airflow_env.run_dates("credit_history_load", [DATES[-1]],
                                       conf={"start": str(START), "publish": True}, progress=said.append)  # fmt: skip
        assert states == ["success"], said
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return outbox_files()


@pytest.fixture(scope="module")
def history_load(tmp_path_factory, landing, airflow_db):
    """Tables after the history load, what it left in the outbox, the dates its marts gate passed; then the
    tables after the next date's daily run; the persons' data as of the month end (period_pii) and the
    changed consumers' records after the history load."""
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
        pii = period_pii(s.warehouse_path, data_dir, landing)
        consumers = consumer_records(s.warehouse_path, landing[1])
        airflow_env.run_dates("credit_daily", [NEXT_DATE], progress=lambda _: None)
        return after_history, published, passed, built_tables(s.warehouse_path), pii, consumers


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
    assert period["MOVED_IN_DROP_AFTER"] and NEW_STREET.upper() not in period["MOVED_IN_DROP_AFTER"].upper()
    assert all(NEW_STREET.upper() in now[role].upper() for role in ("MOVED_BEFORE", "MOVED_AFTER", "MOVED_IN_DROP_AFTER"))
    assert now["RENAMED_AFTER"] == NEW_LOCAL_NAME


@pytest.mark.parametrize("path", ["daily_path", "history_load"])
def test_the_persons_at_the_month_end_equal_their_full_recomputation(path, request):
    """rpt_person_pii_at_period_end copies dim_customer_pii for the persons none of whose customers changed
    after the month end and re-runs the survivorship for the others: row for row the survivorship of every
    bureau person over the snapshot versions valid at the month end, whether built on the month end's own
    run or by the history load after the later dates. The check has teeth: the persons changed after the
    month end (in the history load: the movers after it, the renamed, the person a customer first delivered
    after it joined; on the month end's own run: the move in its drop with a later change time) are not their
    dim_customer_pii rows, so a copy of too many persons would differ."""
    pii = request.getfixturevalue(path)[-2]
    model, recomputed, copied, persons = pii["model"], pii["recomputed"], pii["copied"], pii["persons"]
    assert len(recomputed) > 100
    assert {p for p in model.keys() | recomputed.keys() if model.get(p) != recomputed.get(p)} == set()
    stale = {p for p in copied.keys() | recomputed.keys() if copied.get(p) != recomputed.get(p)}
    if path == "daily_path":  # the month end's own run: only the change its drop carries with a later time
        assert stale == {persons["MOVED_IN_DROP_AFTER"]}
    else:
        assert {persons[role] for role in ("MOVED_IN_DROP_AFTER", "MOVED_AFTER", "RENAMED_AFTER", "NEW_AFTER")} <= stale
        assert persons["MOVED_BEFORE"] not in stale


def test_the_history_load_passes_the_marts_gate_for_every_date_and_publishes_nothing(history_load):
    _, published, passed, *_ = history_load
    assert passed == DATES
    assert published == []


# The daily lists' contact details: the person's current record (dim_customer_pii), which after a catch-up is
# the one known at the end of its range, not on the date. Everything else is compared byte for byte.
CURRENT_CONTACT_COLUMNS = {"display_name", "display_id_number", "display_mobile", "full_name", "local_name",
                           "mobile_phone"}  # fmt: skip
DAILY_LISTS = ("blacklist", "collections")


def comparable(path: str, content: bytes) -> bytes | list:
    """The file as the catch-up must reproduce it: the daily lists without their contact columns (and, in
    their manifests, the digest and size those columns change); any other file as it is."""
    if not path.startswith(DAILY_LISTS):
        return content
    if path.endswith(".manifest.json"):
        manifest = json.loads(content)
        return sorted((k, str(v)) for k, v in manifest.items() if k not in ("sha256", "byte_size"))
    rows = list(csv.reader(io.StringIO(content.decode())))
    kept = [i for i, column in enumerate(rows[0]) if column not in CURRENT_CONTACT_COLUMNS]
    return [[row[i] for i in kept] for row in rows]


def test_the_catch_up_publishes_the_files_the_daily_runs_publish(daily_path, catch_up):
    """Every date's blacklist and collections lists and the month end's notice list, Metro 2 and PBOC files:
    the same files as the daily and bureau runs published, the bureau files and the notice list (contacts
    as of the period end) byte for byte, the daily lists but for their current contact details; the daily
    run after it continues the same."""
    daily = daily_path[2]
    published = {(path.split("/")[0], path.split("/")[1]) for path in daily}
    assert {("blacklist", str(d)) for d in [*DATES, NEXT_DATE]} <= published
    assert {("collections", str(d)) for d in [*DATES, NEXT_DATE]} <= published
    assert {(extract, str(MONTH_END)) for extract in ("notices", "metro2", "pboc")} <= published
    assert sorted(catch_up) == sorted(daily)
    exact = [path for path in daily if not path.startswith(DAILY_LISTS)]
    assert len(exact) >= 6 and [path for path in exact if catch_up[path] != daily[path]] == []
    assert [path for path in daily if comparable(path, catch_up[path]) != comparable(path, daily[path])] == []


def test_a_range_with_a_missing_day_fails_naming_it(tmp_path, monkeypatch, landing):
    from creditwh.pipeline.history import drop_dates

    shutil.copytree(landing[0], tmp_path / "landing")
    shutil.rmtree(tmp_path / "landing" / str(DATES[2]))
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path))
    with pytest.raises(DropMissing, match=rf"no drop for {DATES[2]} in .*; 1 of the 5 dates from {START} to "
                                          rf"{DATES[-1]} have no drop: the history load needs every day"):  # fmt: skip
        drop_dates(START, DATES[-1], settings())
