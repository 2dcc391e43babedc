"""The lifecycle of a raw load batch: pending -> accepted, or rolled back to the date's previous state.

Why: the raw gate can only judge a day once its rows are in raw.* (its cross-day rules compare them with
the previous loaded day), but a day it rejects must not stay there: the next day would be compared with it
(and rejected too), and dbt or BI would read it. So a load commits its rows as a *pending* batch and keeps
the date's previously accepted rows aside in raw_prior.* (same tables; only that date's rows, so the cost
follows the day, never the history). Then exactly one of:

- accept (the gate passed): the batch becomes `accepted` and the set-aside rows are dropped, in one
  transaction;
- roll back (the gate failed, or a run died before the gate decided): the batch's rows are deleted, the
  set-aside rows and batch record put back, and the batch logged in raw.rejected_batches with why (the
  gate's failed rules), in one transaction.

Nothing depends on a failure callback (a SIGKILL runs none): every load first rolls back whatever batch is
still pending from an earlier run, and dbt refuses to build while a batch is pending
(creditwh.load.acceptance). raw.load_batches holds at most one row per date: the batch whose rows are in
raw.* for it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import duckdb

from creditwh.contract import DATASETS

log = logging.getLogger(__name__)

PRIOR_SCHEMA = "raw_prior"
# raw.load_batches first: the set-aside copy of a date is always complete before its rows are removed.
TABLES = ("load_batches", *(d.name for d in DATASETS))

UNFINISHED = "left pending by an unfinished run (killed or failed before the raw gate decided)"

REJECTED_BATCHES_DDL = """
create table if not exists raw.rejected_batches (
    batch_id varchar not null,
    business_date date not null,
    source_system varchar,
    manifest_sha256 varchar,
    loaded_at timestamp,
    rolled_back_at timestamp not null,
    reason varchar not null,
    failed_rules varchar not null,  -- JSON list of {suite, rule, observed} from the gate, [] if none ran
    restored_batch_id varchar       -- the accepted batch put back for the date, null if there was none
)
"""


@dataclass(frozen=True)
class RolledBack:
    business_date: dt.date
    batch_id: str
    restored_batch_id: str | None
    reason: str

    def describe(self) -> str:
        restored = f"batch {self.restored_batch_id} restored" if self.restored_batch_id else "no earlier load"
        return f"rolled back batch {self.batch_id} of {self.business_date} ({self.reason}); {restored}"


def ensure_batch_tables(con: duckdb.DuckDBPyConnection) -> None:
    """raw_prior.* mirror raw.* (created from them, so an upgraded raw table is mirrored as it is)."""
    con.execute(REJECTED_BATCHES_DDL)
    con.execute(f"create schema if not exists {PRIOR_SCHEMA}")
    for table in TABLES:
        con.execute(f"create table if not exists {PRIOR_SCHEMA}.{table} as select * from raw.{table} limit 0")
        # a column added to raw.<table> by an upgrade (ensure_raw_schema) is added to its mirror too
        for column, type_ in con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'raw' "
            "and table_name = ? and column_name not in (select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?)",
            [table, PRIOR_SCHEMA, table],
        ).fetchall():
            con.execute(f"alter table {PRIOR_SCHEMA}.{table} add column {column} {type_}")


def pending(con: duckdb.DuckDBPyConnection) -> list[tuple[dt.date, str]]:
    """(business_date, batch_id) of every batch not accepted yet, oldest date first."""
    return con.execute(
        "select business_date, batch_id from raw.load_batches where status = 'pending' order by business_date"
    ).fetchall()


def set_aside_accepted(con: duckdb.DuckDBPyConnection, business_date: dt.date) -> dict[str, int]:
    """Move the date's current rows (its accepted batch) into raw_prior.*; rows moved per dataset.
    Runs inside the load's transaction."""
    moved = {}
    for table in TABLES:
        con.execute(f"delete from {PRIOR_SCHEMA}.{table} where business_date = ?", [business_date])
        con.execute(
            f"insert into {PRIOR_SCHEMA}.{table} by name select * from raw.{table} where business_date = ?",
            [business_date],
        )
        (moved[table],) = con.execute(
            f"select count(*) from {PRIOR_SCHEMA}.{table} where business_date = ?", [business_date]
        ).fetchone()
        con.execute(f"delete from raw.{table} where business_date = ?", [business_date])
    moved.pop("load_batches")
    return moved


def accept(con: duckdb.DuckDBPyConnection, business_date: dt.date, batch_id: str) -> bool:
    """Accept the date's pending batch `batch_id` and drop the rows it replaced. False when that batch is
    not pending (already accepted, or rolled back by a later load): nothing changes then."""
    con.execute("begin transaction")
    try:
        accepted = con.execute(
            "update raw.load_batches set status = 'accepted', accepted_at = current_timestamp "
            "where business_date = ? and batch_id = ? and status = 'pending' returning batch_id",
            [business_date, batch_id],
        ).fetchall()
        if accepted:
            for table in TABLES:
                con.execute(f"delete from {PRIOR_SCHEMA}.{table} where business_date = ?", [business_date])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return bool(accepted)


def roll_back(
    con: duckdb.DuckDBPyConnection,
    business_date: dt.date,
    reason: str,
    failed_rules: list[dict] | None = None,
) -> RolledBack | None:
    """Undo the date's pending batch: put the set-aside accepted rows back and log the batch in
    raw.rejected_batches. None when the date has no pending batch (an accepted one is never removed)."""
    con.execute("begin transaction")
    try:
        row = con.execute(
            "select batch_id from raw.load_batches where business_date = ? and status = 'pending'",
            [business_date],
        ).fetchone()
        if row is None:
            con.execute("rollback")
            return None
        (restored,) = con.execute(
            f"select any_value(batch_id) from {PRIOR_SCHEMA}.load_batches where business_date = ?",
            [business_date],
        ).fetchone()
        con.execute(
            "insert into raw.rejected_batches select batch_id, business_date, source_system, manifest_sha256, "
            "loaded_at, current_timestamp, ?, ?, ? from raw.load_batches where business_date = ?",
            [reason, json.dumps(failed_rules or [], default=str), restored, business_date],
        )
        for table in TABLES:
            con.execute(f"delete from raw.{table} where business_date = ?", [business_date])
            con.execute(
                f"insert into raw.{table} by name select * from {PRIOR_SCHEMA}.{table} where business_date = ?",
                [business_date],
            )
            con.execute(f"delete from {PRIOR_SCHEMA}.{table} where business_date = ?", [business_date])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    done = RolledBack(business_date, row[0], restored, reason)
    log.warning("%s", done.describe())
    return done


def roll_back_unfinished(con: duckdb.DuckDBPyConnection) -> list[RolledBack]:
    """Roll back every batch still pending: its run ended (killed, or failed before the gate decided), so
    nobody will accept it, and it must not be read as a loaded day."""
    done = [roll_back(con, day, UNFINISHED) for day, _ in pending(con)]
    return [d for d in done if d is not None]
