"""The notice list of a bureau period: consumers about to be reported negatively for the first time, published
as a restricted extract before the period's bureau files (征信业管理条例 §15; FCRA). Who is on it is the dbt model
restricted.rpt_bureau_negative_notices; here it is written as CSV to outbox/notices/<period_end>/.

negative_notices_<YYYYMMDD>.csv for the period's first list (header only when nobody is to be told: the list
was still checked), negative_notices_<YYYYMMDD>_cNN.csv when a restated period changes it. A re-run that
changes nothing publishes nothing. The bureau DAG runs it first: its bureau file tasks run only after it
succeeded."""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from creditwh.config import Settings

log = logging.getLogger(__name__)

EXTRACT = "notices"
MODEL = "restricted.rpt_bureau_negative_notices"
COLUMNS = ("bureau", "account_id", "reported_status", "days_past_due", "amount_past_due", "notice_name",
           "address_line1", "address_line2", "city", "state_code", "postal_code", "mobile_phone")  # fmt: skip
ORDER_BY = "bureau, account_id"


def publish_notices(con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date) -> dict:
    """Publish the period's notice list unless the same list was already delivered; returns a summary."""
    from creditwh.publish import DELIVERIES, Publication, ensure_deliveries_table
    from creditwh.reporting.blacklist.publication import write_csv

    con.execute("BEGIN")
    ensure_deliveries_table(con)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE notices_out AS SELECT * FROM {MODEL} WHERE period_end = ?",
        [period_end],
    )
    counts = dict(
        con.execute("SELECT bureau, count(*) FROM notices_out GROUP BY bureau ORDER BY bureau").fetchall()
    )
    delivered = dict(con.execute(
        f"SELECT file_name, sha256 FROM {DELIVERIES} WHERE extract = ? AND as_of_date = ?", [EXTRACT, period_end]
    ).fetchall())  # fmt: skip
    summary = {"period_end": period_end.isoformat(), "notices": counts, "files": []}
    with Publication(settings, EXTRACT, period_end) as pub:
        name = (
            f"negative_notices_{period_end:%Y%m%d}"
            + (f"_c{len(delivered):02d}" if delivered else "")
            + ".csv"
        )
        rows = write_csv(con, "notices_out", COLUMNS, pub.path(name), ORDER_BY)
        manifest = pub.add(name, records=rows, control_totals={b: int(n) for b, n in counts.items()},
                           kind="correction" if delivered else "original", extra={"sequence": len(delivered)})  # fmt: skip
        if delivered and manifest["sha256"] == _latest(delivered):
            con.execute("ROLLBACK")
            log.info("notices %s: already published, nothing changed", period_end)
            return {**summary, "status": "unchanged"}
        pub.seal(con)
        con.execute("COMMIT")
        published = pub.deliver(con)
    log.info("notices %s published: %s", period_end, counts or "nobody to tell")
    return {**summary, "status": "published", "files": [str(p) for p in published]}


def _latest(delivered: dict[str, str]) -> str:
    """sha256 of the period's latest list (original, then _c01, _c02, ... sort in delivery order)."""
    return delivered[max(delivered)]
