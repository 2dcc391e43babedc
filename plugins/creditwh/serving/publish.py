"""Publish a business date's marts to the serving database, in one PostgreSQL transaction.

1. Refuse a date whose marts gate did not pass (reporting.marts_passed_dates, creditwh.load.acceptance).
2. Read the date's partition of every mart (and the small relations without one, whole) from a read-only
   DuckDB connection into CSV files under the data directory, then let go of the warehouse: the
   PostgreSQL transaction below never holds DuckDB, and its length depends on the copy alone.
3. One transaction: create / extend the serving tables (creditwh.serving.tables), delete the date's rows,
   COPY the new ones in, log the publication in serving.publications, commit. PostgreSQL's MVCC lets BI
   sessions keep reading the previous complete state until the commit, then the new one, never half a
   day. DELETE and COPY take only row locks, which SELECTs never wait for; only DDL (a new table or
   column) takes a table lock, and waits at most LOCK_TIMEOUT for a reader's transaction before the task
   fails with a retriable error.
Re-publishing a date (a re-run, a restated day) deletes and rewrites exactly its rows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import time
from pathlib import Path

from creditwh.serving.settings import BI_SCHEMA, META_SCHEMA, ServingSettings
from creditwh.serving.tables import MARTS_SCHEMA, Relation, align_table, marts_relations

log = logging.getLogger(__name__)

LOCK_TIMEOUT = "30s"

PUBLICATIONS_DDL = f"""
create table if not exists {META_SCHEMA}.publications (
    business_date date primary key,
    published_at timestamp with time zone not null,
    rows jsonb not null,            -- {{table: rows of the date (or of the whole table)}}
    transaction_seconds double precision not null
)
"""


def publish_date(warehouse: Path, work_dir: Path, target: ServingSettings, business_date: dt.date) -> dict:
    """Serve the marts of `business_date`; a summary for XCom (rows per table, the transaction's seconds)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="serving-", dir=work_dir) as tmp:
        relations, files = _export(warehouse, business_date, Path(tmp))
        return _load(target, business_date, relations, files)


def _export(warehouse: Path, business_date: dt.date, tmp: Path) -> tuple[list[Relation], dict[str, Path]]:
    import duckdb

    from creditwh.load.acceptance import require_marts_passed

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        require_marts_passed(con, business_date)
        relations = marts_relations(con)
        files = {}
        for relation in relations:
            columns = ", ".join(f'"{c}"' for c in relation.column_names)
            day = f"date '{business_date.isoformat()}'"
            where = f'where "{relation.partition_key}" = {day}' if relation.partition_key else ""
            files[relation.name] = tmp / f"{relation.name}.csv"
            con.execute(
                f'copy (select {columns} from {MARTS_SCHEMA}."{relation.name}" {where}) '
                f"to '{files[relation.name]}' (format csv, header false)"
            )
    finally:
        con.close()
    return relations, files


def _load(
    target: ServingSettings, business_date: dt.date, relations: list[Relation], files: dict[str, Path]
) -> dict:
    import psycopg
    from psycopg import sql

    rows: dict[str, int] = {}
    changes: list[str] = []
    with psycopg.connect(target.conninfo()) as pg:
        started = time.monotonic()
        with pg.transaction():
            pg.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
            pg.execute(PUBLICATIONS_DDL)
            for relation in relations:
                changes += align_table(pg, BI_SCHEMA, relation)
                table = sql.Identifier(BI_SCHEMA, relation.name)
                if relation.partition_key:
                    pg.execute(sql.SQL("delete from {} where {} = %s").format(
                        table, sql.Identifier(relation.partition_key)), [business_date])  # fmt: skip
                else:
                    # not TRUNCATE: it would lock readers out until the commit
                    pg.execute(sql.SQL("delete from {}").format(table))
                columns = sql.SQL(", ").join(sql.Identifier(c) for c in relation.column_names)
                copy_in = sql.SQL("copy {} ({}) from stdin with (format csv)").format(table, columns)
                with pg.cursor() as cur, open(files[relation.name], "rb") as source:
                    with cur.copy(copy_in) as copy:
                        while data := source.read(1 << 20):
                            copy.write(data)
                    rows[relation.name] = cur.rowcount
            seconds = time.monotonic() - started
            pg.execute(
                f"insert into {META_SCHEMA}.publications values (%s, now(), %s, %s) on conflict (business_date) "
                "do update set published_at = excluded.published_at, rows = excluded.rows, "
                "transaction_seconds = excluded.transaction_seconds",
                [business_date, json.dumps(rows, sort_keys=True), seconds],
            )
    for change in changes:
        log.info("serving schema: %s", change)
    dated = sum(n for r in relations if r.partition_key for n in [rows[r.name]])
    log.info("served %s to %s: %d rows of the date in %d tables, %d whole tables, one transaction of %.2f s",
             business_date, target.describe(), dated, sum(1 for r in relations if r.partition_key),
             sum(1 for r in relations if not r.partition_key), seconds)  # fmt: skip
    return {"business_date": business_date.isoformat(), "rows": rows, "transaction_seconds": round(seconds, 3),
            "schema_changes": changes}  # fmt: skip
