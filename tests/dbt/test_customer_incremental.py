"""The customer branch is incremental (a daily run rebuilds only the customers and persons it touched): its
tables must equal a full rebuild of the same data, also after a restated day that moves a customer from
one person to another, and a plain re-run must change nothing."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import duckdb
import pytest
from creditwh.transform.dbt import release_dbt_connection
from warehouse_build import CORE_SELECTOR, build_day, build_warehouse, run_dbt

pytestmark = pytest.mark.slow

START = dt.date(2026, 2, 26)
N_DAYS = 4
LAST = START + dt.timedelta(days=N_DAYS - 1)
# table -> key; refreshed_on / previous_person_id are the runs' bookkeeping, not data
CUSTOMER_TABLES = {
    "intermediate.int_customers_current": "customer_id",
    "intermediate.int_customer_person": "customer_id",
    "restricted.dim_customer_pii": "person_id",
    "marts.dim_customer": "person_id",
}
BOOKKEEPING = ("refreshed_on", "previous_person_id")
CUSTOMER_MODELS = "int_customers_current int_customer_person dim_customer_pii dim_customer"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    previous = os.environ.get("CREDITWH_WAREHOUSE_PATH")
    built = build_warehouse(
        tmp_path_factory.mktemp("customers"),
        n_accounts=1000,
        n_days=N_DAYS,
        start=START,
        seed=11,
        selector=CORE_SELECTOR,
        fully_tested=lambda day: day == LAST,
    )
    release_dbt_connection()
    yield built.warehouse_path
    release_dbt_connection()
    if previous is None:
        os.environ.pop("CREDITWH_WAREHOUSE_PATH", None)
    else:
        os.environ["CREDITWH_WAREHOUSE_PATH"] = previous


def _rows(path, table: str, with_bookkeeping: bool = False) -> set[tuple]:
    schema, name = table.split(".")
    with duckdb.connect(str(path)) as con:
        columns = [
            c
            for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position",
                [schema, name],
            ).fetchall()
            if with_bookkeeping or c not in BOOKKEEPING
        ]
        return set(con.execute(f"select {', '.join(columns)} from {table}").fetchall())


def _full_rebuild(path, tmp_path) -> dict[str, set[tuple]]:
    """The customer tables rebuilt from scratch (--full-refresh: every version ranked) on a copy."""
    (tmp_path / "full_rebuild").mkdir()
    copy = tmp_path / "full_rebuild" / path.name  # the parsed manifest names the database by the file's stem
    shutil.copyfile(path, copy)
    os.environ["CREDITWH_WAREHOUSE_PATH"] = str(copy)
    try:
        run_dbt(
            [
                "build",
                "--vars",
                f'{{business_date: "{LAST}"}}',
                "--select",
                CUSTOMER_MODELS,
                "--full-refresh",
                "--exclude-resource-type",
                "unit_test",
            ]
        )
    finally:
        release_dbt_connection()
        os.environ["CREDITWH_WAREHOUSE_PATH"] = str(path)
    return {table: _rows(copy, table) for table in CUSTOMER_TABLES}


def _rebuild_day(path) -> None:
    os.environ["CREDITWH_WAREHOUSE_PATH"] = str(path)
    try:
        build_day(LAST, selector=CORE_SELECTOR)
    finally:
        release_dbt_connection()


def test_daily_customer_tables_equal_a_full_rebuild(warehouse, tmp_path):
    incremental = {table: _rows(warehouse, table) for table in CUSTOMER_TABLES}
    assert all(incremental.values())
    assert incremental == _full_rebuild(warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        # each daily run wrote only the customers with a new version that day, not the whole book
        stamps = con.execute(
            "select count(*) filter (where refreshed_on > $1), "
            "count(*) filter (where refreshed_on is distinct from greatest(business_date, $1)) "
            "from intermediate.int_customers_current",
            [START],
        ).fetchone()
    assert stamps[0] > 0 and stamps[1] == 0


def test_rerun_changes_nothing(warehouse):
    before = {table: _rows(warehouse, table, with_bookkeeping=True) for table in CUSTOMER_TABLES}
    snapshot_before = _rows(warehouse, "restricted.snap_customers")
    _rebuild_day(warehouse)
    assert {table: _rows(warehouse, table, with_bookkeeping=True) for table in CUSTOMER_TABLES} == before
    assert _rows(warehouse, "restricted.snap_customers") == snapshot_before


def test_restated_day_moves_a_customer_to_another_person(warehouse, tmp_path):
    """Restated LAST: customer `mover`, the smallest id of a two-customer person, now carries the id number,
    name and birth date of an older customer `host`. Its old person (P + mover) must vanish, its former partner becomes a
    person of its own, `host`'s person gains a customer — in every customer table, the snapshot and the fact."""
    with duckdb.connect(str(warehouse)) as con:
        mover, partner = con.execute(
            "select min(customer_id), max(customer_id) from intermediate.int_customer_person "
            "where person_id in (select person_id from restricted.dim_customer_pii where source_customer_count = 2) "
            "group by person_id order by 1 limit 1"
        ).fetchone()
        host = con.execute(
            "select min(customer_id) from intermediate.int_customers_current "
            "where identity_key is not null and customer_id < ? "
            "and customer_id not in (select customer_id from intermediate.int_customer_person "
            "                        where person_id in (select person_id from intermediate.int_customer_person "
            "                                            group by 1 having count(*) > 1))",
            [mover],
        ).fetchone()[0]
        assert mover and host, "the simulated book has a merged person and an older single customer"
        host_count = con.execute(
            "select source_customer_count from restricted.dim_customer_pii where person_id = ?", ["P" + host]
        ).fetchone()[0]
        con.execute(
            """
            insert into raw.customers
            select * replace (
                $business_date as business_date,
                (select id_type from raw.customers where customer_id = $host order by updated_at desc limit 1) as id_type,
                (select id_number from raw.customers where customer_id = $host order by updated_at desc limit 1) as id_number,
                -- the host's name and birth date too: one id number on another name is an identity conflict
                (select family_name from raw.customers where customer_id = $host order by updated_at desc limit 1) as family_name,
                (select given_name from raw.customers where customer_id = $host order by updated_at desc limit 1) as given_name,
                (select birth_date from raw.customers where customer_id = $host order by updated_at desc limit 1) as birth_date,
                updated_at + interval 1 hour as updated_at)
            from raw.customers
            where customer_id = $mover
            qualify row_number() over (order by updated_at desc) = 1
        """,
            {"business_date": LAST, "host": host, "mover": mover},
        )

    _rebuild_day(warehouse)

    assert {table: _rows(warehouse, table) for table in CUSTOMER_TABLES} == _full_rebuild(warehouse, tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        persons = dict(
            con.execute(
                "select customer_id, person_id from intermediate.int_customer_person "
                "where customer_id in (?, ?, ?)",
                [mover, partner, host],
            ).fetchall()
        )
        assert persons == {mover: "P" + host, partner: "P" + partner, host: "P" + host}
        for table in ("restricted.dim_customer_pii", "marts.dim_customer"):
            counts = dict(
                con.execute(
                    f"select person_id, source_customer_count from {table} where person_id in (?, ?, ?)",
                    ["P" + mover, "P" + partner, "P" + host],
                ).fetchall()
            )
            assert counts == {"P" + partner: 1, "P" + host: host_count + 1}, table
        versions = con.execute(
            "select count(*), count(*) filter (where dbt_valid_to is null) "
            "from restricted.snap_customers where customer_id = ?",
            [mover],
        ).fetchone()
        assert versions[0] >= 2 and versions[1] == 1
        fact_persons = {
            p
            for (p,) in con.execute(
                "select distinct person_id from marts.fct_account_daily where business_date = ? and customer_id = ?",
                [LAST, mover],
            ).fetchall()
        }
        assert fact_persons <= {"P" + host}
