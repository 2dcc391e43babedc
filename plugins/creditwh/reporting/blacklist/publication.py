"""One publication of the daily blacklist: delta + snapshot (+ a re-key file when the key rotates) as CSV
files with manifests, the state rows and the sealed files in one warehouse transaction, then the move into
outbox/blacklist/<date>/. A re-run that changes nothing publishes nothing.

File names: blacklist_<part>_<YYYYMMDD>.csv for the date's first publication, ..._cNN.csv for its n-th
correction (a restated day)."""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from creditwh.config import Settings
from creditwh.reporting.blacklist.delta import (
    DELTA,
    DELTA_COLUMNS,
    PUBLICATIONS,
    SNAPSHOT,
    SNAPSHOT_COLUMNS,
    build_blacklist,
    ensure_state_tables,
    record_publication,
)
from creditwh.reporting.blacklist.keys import key_id
from creditwh.reporting.blacklist.policy import BlacklistPolicy
from creditwh.reporting.blacklist.rotation import REKEY, REKEY_COLUMNS, check_key

log = logging.getLogger(__name__)

EXTRACT = "blacklist"


def publish_day(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    business_date: dt.date,
    key: bytes,
    policy: BlacklistPolicy,
    rotation_from: str | None = None,
) -> dict:
    """Publish the date's blacklist; returns a small summary. On an error the caller rolls back."""
    from creditwh.publish import Publication

    con.execute("BEGIN")
    ensure_state_tables(con)
    rekey_from = check_key(con, business_date, key_id(key), rotation_from, PUBLICATIONS)
    result = build_blacklist(con, business_date, policy, key, rekey_from=rekey_from)
    summary = {"business_date": business_date.isoformat(), "sequence": result.sequence,
               "actions": result.actions, "listed": result.listed, "key_id": result.key_id,
               "files": []}  # fmt: skip
    if not result.changed:
        con.execute("ROLLBACK")
        log.info("blacklist %s: already published, nothing changed", business_date)
        return {**summary, "status": "unchanged"}
    suffix = f"{business_date:%Y%m%d}" + (f"_c{result.sequence:02d}" if result.sequence else "")
    kind = "correction" if result.sequence else "original"
    parts = [("delta", DELTA, DELTA_COLUMNS, "subject_key"), ("snapshot", SNAPSHOT, SNAPSHOT_COLUMNS, "subject_key")]
    if rekey_from is not None:
        parts.append(("rekey", REKEY, REKEY_COLUMNS, "previous_subject_key"))
    with Publication(settings, EXTRACT, business_date) as pub:
        for part, table, columns, order_by in parts:
            name = f"blacklist_{part}_{suffix}.csv"
            rows = write_csv(con, table, columns, pub.path(name), order_by)
            totals = {"delta": dict(result.actions), "snapshot": {"listed": rows}, "rekey": {"rekeyed": rows}}[part]
            extra = {"part": part, "sequence": result.sequence, "furnisher_id": policy.furnisher_id,
                     "key_id": result.key_id}  # fmt: skip
            if rekey_from is not None:
                extra["previous_key_id"] = rekey_from
            pub.add(name, records=rows, control_totals={k: int(v) for k, v in sorted(totals.items())},
                    kind=kind, extra=extra)  # fmt: skip
        pub.seal(con)
        record_publication(con, result)
        con.execute("COMMIT")
        published = pub.deliver(con)
    if rekey_from is not None:
        log.warning("blacklist %s: HMAC key rotated from key id %s to %s (%d subjects re-keyed)",
                    business_date, rekey_from, result.key_id, result.rekeyed)  # fmt: skip
    log.info("blacklist %s published: %s, %d listed", business_date, result.actions, result.listed)
    return {**summary, "status": "published", "rekeyed": result.rekeyed, "files": [str(p) for p in published]}


def write_csv(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], path, order_by: str = "subject_key"
) -> int:
    """Write `table` as UTF-8 CSV with a header, rows in `order_by` order; returns the row count."""
    target = str(path).replace("'", "''")
    con.execute("SET preserve_insertion_order = true")
    con.execute(
        f"""COPY (SELECT {", ".join(columns)} FROM {table} ORDER BY {order_by})
            TO '{target}' (FORMAT csv, HEADER true, DATEFORMAT '%Y-%m-%d')"""
    )
    (n,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(n)
