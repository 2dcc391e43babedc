"""SIGKILL during the dbt build of a date, then the same date again: the marts equal a clean build's (no
duplicate or missing rows), no lock is left, and the marts the killed build half rewrote are not publishable
until the marts gate has judged them again."""

from __future__ import annotations

import duckdb
import pytest
from creditwh.config import settings
from creditwh.load import load_drop
from creditwh.load.acceptance import MartsNotPassed, require_marts_passed
from creditwh.pipeline import daily
from faults import DBT_TASK, kill_at
from load_helpers import query
from sim_dates import business_dates
from system.snapshot import RUN_TIME_COLUMN

pytestmark = pytest.mark.slow

# A mart in the middle of the build: staging and intermediate models are done, other marts are not.
KILL_AFTER = "fct_account_daily"
NOT_BUILT = ("raw", "raw_prior", "reporting")  # schemas dbt does not write
# Not the kill's doing: any re-run of a date sets int_customer_person.previous_person_id of the customers new
# that day to their own person (null in a first build), killed or not. Reported; left out here.
RERUN_BOOKKEEPING = {("intermediate", "int_customer_person", "previous_person_id")}


def _built(areas: list[dict]) -> None:
    failed = [m["name"] for a in areas for m in a["models"] if m["status"] != "success"]
    assert not failed, failed


def _dbt_tables(warehouse) -> dict[str, list[tuple]]:
    """Every table dbt built, sorted, without the columns that record when it ran."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema not in (select unnest(?)) order by all",
            [list(NOT_BUILT)],
        ).fetchall()
        state = {}
        for schema, table in tables:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if not RUN_TIME_COLUMN.match(c) and (schema, table, c) not in RERUN_BOOKKEEPING
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            state[f"{schema}.{table}"] = con.execute(
                f'select {select} from "{schema}"."{table}" order by all'
            ).fetchall()
        return state
    finally:
        con.close()


def _marts_passed(s, day) -> bool:
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        require_marts_passed(con, day)
        return True
    except MartsNotPassed:
        return False
    finally:
        con.close()


def test_dbt_killed_mid_build_then_rerun_gives_the_clean_marts(data_dir):
    s = settings()
    day1, day2 = business_dates(2)
    for day in (day1, day2):  # trusted drops: the raw gate is not what this test is about
        load_drop(s.warehouse_path, s.drop_dir(day), day, accept=True)
    _built(daily.transform(day1, s))
    _built(daily.transform(day2, s))
    clean = _dbt_tables(s.warehouse_path)  # what a build of day 2 that nobody killed leaves
    daily.validate("marts", day2, s)
    assert _marts_passed(s, day2)

    kill_at("dbt_node_finished", "transform", day2.isoformat(), KILL_AFTER, script=DBT_TASK)
    duckdb.connect(str(s.warehouse_path)).close()  # no lock left: a writer opens the file
    assert not _marts_passed(s, day2)  # half rebuilt: not publishable until the gate runs again
    assert query(s.warehouse_path, "select count(*) from raw.load_batches where status <> 'accepted'") == [
        (0,)
    ]

    _built(daily.transform(day2, s))
    assert _dbt_tables(s.warehouse_path) == clean
    daily.validate("marts", day2, s)
    assert _marts_passed(s, day2)
