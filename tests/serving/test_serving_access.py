"""Who may read what in the serving database (the served_run fixture's, set up by `serving init`'s code).

Raw, restricted and reporting data never leave DuckDB; here they are planted in the serving database as the
administrator (as if someone pointed dbt's PostgreSQL target at it) to show the roles would be refused
anyway: nothing is readable that is not granted."""

from __future__ import annotations

import psycopg
import pytest
from serving_db import ADMIN, connect

pytestmark = pytest.mark.slow

BI_READER, COLLECTIONS, WRITER = "creditwh_bi_reader", "creditwh_collections", "creditwh_writer"
PLANTED = ("raw.customers", "restricted.dim_customer_pii", "reporting.gate_results", "public.leftover")


@pytest.fixture(scope="module")
def serving(served_run):
    with connect(served_run.database, ADMIN, autocommit=True) as admin:
        for name in PLANTED:
            schema = name.split(".")[0]
            admin.execute(f"create schema if not exists {schema}")
            admin.execute(f"create table if not exists {name} (clear_value text)")
            admin.execute(f"insert into {name} values ('clear')")
    with connect(served_run.database, WRITER, autocommit=True) as writer:  # a contact list, as the issue adds
        writer.execute("create table if not exists collections.contact_list (account_id text, phone text)")
        writer.execute("insert into collections.contact_list values ('A1', '5550100')")
    yield served_run.database
    with connect(served_run.database, ADMIN, autocommit=True) as admin:
        for schema in ("raw", "restricted", "reporting"):
            admin.execute(f"drop schema {schema} cascade")
        admin.execute("drop table public.leftover")
        admin.execute("drop table collections.contact_list")


def _reads(database: str, role: str, relation: str) -> bool:
    with connect(database, role) as pg:
        try:
            pg.execute(f"select count(*) from {relation}").fetchone()
            return True
        except psycopg.errors.InsufficientPrivilege:
            return False


def test_publication_puts_only_bi_and_collections_schemas_in_the_serving_database(served_run):
    with connect(served_run.database, ADMIN) as pg:
        schemas = {s for (s,) in pg.execute("select nspname from pg_namespace").fetchall()
                   if not s.startswith("pg_") and s != "information_schema"}  # fmt: skip
        owners = set(
            pg.execute("select distinct tableowner from pg_tables where schemaname = 'bi'").fetchall()
        )
    assert schemas <= {"bi", "collections", "serving", "public", "raw", "restricted", "reporting"}
    assert owners == {(WRITER,)}


def test_the_bi_reader_reads_bi_and_nothing_else(serving):
    assert _reads(serving, BI_READER, "bi.fct_account_daily")
    assert _reads(serving, BI_READER, "bi.dim_customer")
    for relation in (*PLANTED, "collections.contact_list", "serving.publications"):
        assert not _reads(serving, BI_READER, relation), relation


def test_the_bi_reader_cannot_write_or_create(serving):
    with connect(serving, BI_READER) as pg, pytest.raises(psycopg.errors.InsufficientPrivilege):
        pg.execute("delete from bi.fct_account_daily")
    for schema in ("bi", "public"):
        with connect(serving, BI_READER) as pg, pytest.raises(psycopg.errors.InsufficientPrivilege):
            pg.execute(f"create table {schema}.mine (x int)")


def test_the_collections_role_reads_collections_and_bi_but_not_raw(serving):
    assert _reads(serving, COLLECTIONS, "collections.contact_list")
    assert _reads(serving, COLLECTIONS, "bi.mart_collections_queue")
    for relation in PLANTED:
        assert not _reads(serving, COLLECTIONS, relation), relation


def test_init_is_idempotent_and_keeps_the_grants(serving):
    from creditwh.serving.roles import init_serving
    from creditwh.serving.settings import ServingSettings

    lines = init_serving(ServingSettings(host="127.0.0.1", database=serving), ADMIN)
    assert any("role creditwh_bi_reader: updated" in line for line in lines)
    assert _reads(serving, BI_READER, "bi.fct_account_daily")
    assert not _reads(serving, BI_READER, "collections.contact_list")


def test_a_second_init_waits_for_the_first_instead_of_racing_it(serving):
    """Roles are global to the cluster: while one init holds the init lock, another one waits on it (seen
    in pg_locks as an advisory lock not granted), and completes once the first lets go."""
    import threading

    from creditwh.serving.roles import init_serving
    from creditwh.serving.settings import ServingSettings

    outcome = {}

    def second_init():
        outcome["lines"] = init_serving(ServingSettings(host="127.0.0.1", database=serving), ADMIN)

    with connect("postgres", ADMIN, autocommit=True) as first:
        first.execute("select pg_advisory_lock(hashtext('creditwh serving init'))")
        thread = threading.Thread(target=second_init, daemon=True)
        thread.start()
        waiting = 0
        for _ in range(300):
            (waiting,) = first.execute(
                "select count(*) from pg_locks where locktype = 'advisory' and not granted"
            ).fetchone()
            if waiting or not thread.is_alive():
                break
            thread.join(0.1)
        assert waiting >= 1 and thread.is_alive() and "lines" not in outcome
    thread.join(60)  # the first session closed: its lock is gone
    assert any("role creditwh_bi_reader: updated" in line for line in outcome["lines"])
