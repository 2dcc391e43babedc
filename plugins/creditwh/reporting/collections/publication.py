"""The next day's collections lists, published after the marts gate: the dialer's treatment list and the SMS
platform's pre-due reminder list. Who is on them, with which channel, holder and reason, is the bank's strategy
applied in dbt (marts.mart_collections_next_actions); the restricted models restricted.rpt_collections_*_list
add the contact details. Here they are written as CSV to outbox/collections/<business_date>/:

treatment_list_<YYYYMMDD>.csv and reminder_list_<YYYYMMDD>.csv, dated by the list date (business date + 1, the
day the dialer and the SMS platform work them), each with its manifest. An empty list is a file with its header
(a clean book may have nobody to remind). A re-run that changes nothing publishes nothing (same bytes); a
restated date whose list changed goes out as a correction file _cNN next to the original."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import duckdb

from creditwh.config import Settings

log = logging.getLogger(__name__)

EXTRACT = "collections"


@dataclass(frozen=True)
class CollectionList:
    name: str  # file name stem
    model: str
    columns: tuple[str, ...]
    amount_column: str  # summed into the manifest's control totals

    def file_name(self, list_date: dt.date, sequence: int) -> str:
        return f"{self.name}_{list_date:%Y%m%d}" + (f"_c{sequence:02d}" if sequence else "") + ".csv"


LISTS = (
    CollectionList(
        "treatment_list",
        "restricted.rpt_collections_treatment_list",
        ("list_date", "account_id", "channel", "holder_type", "holder_id", "reason_code", "bucket_code",
         "amount_past_due", "full_name", "local_name", "mobile_phone"),
        "amount_past_due",
    ),
    CollectionList(
        "reminder_list",
        "restricted.rpt_collections_reminder_list",
        ("list_date", "account_id", "channel", "payment_due_date", "amount_due", "mobile_phone"),
        "amount_due",
    ),
)


def publish_lists(con: duckdb.DuckDBPyConnection, settings: Settings, business_date: dt.date) -> dict:
    """Publish the lists decided on `business_date` (for the next day) unless the same bytes were already
    delivered; returns a summary naming the rows of each list."""
    from creditwh.publish import DELIVERIES, Publication, ensure_deliveries_table
    from creditwh.reporting.blacklist.publication import write_csv

    list_date = business_date + dt.timedelta(days=1)
    con.execute("BEGIN")
    ensure_deliveries_table(con)
    delivered = dict(con.execute(
        f"SELECT file_name, sha256 FROM {DELIVERIES} WHERE extract = ? AND as_of_date = ?", [EXTRACT, business_date]
    ).fetchall())  # fmt: skip
    summary = {"business_date": business_date.isoformat(), "list_date": list_date.isoformat(), "files": []}
    with Publication(settings, EXTRACT, business_date) as pub:
        for spec in LISTS:
            table = f"{spec.name}_out"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {spec.model} WHERE business_date = ?",
                        [business_date])  # fmt: skip
            earlier = sorted(name for name in delivered if name.startswith(f"{spec.name}_{list_date:%Y%m%d}"))
            name = spec.file_name(list_date, len(earlier))
            rows = write_csv(con, table, spec.columns, pub.path(name), "account_id")
            (amount,) = con.execute(f"SELECT coalesce(sum({spec.amount_column}), 0) FROM {table}").fetchone()
            channels = dict(con.execute(f"SELECT channel, count(*) FROM {table} GROUP BY 1 ORDER BY 1").fetchall())
            summary[f"{spec.name}_rows"] = rows
            manifest = pub.add(
                name, records=rows, kind="correction" if earlier else "original",
                control_totals={"rows_by_channel": channels, spec.amount_column: f"{amount:.2f}"},
                extra={"list_date": list_date.isoformat(), "sequence": len(earlier)},
            )
            if earlier and manifest["sha256"] == delivered[earlier[-1]]:
                pub.files.pop()  # the same list was delivered: nothing new to send
        if not pub.files:
            con.execute("ROLLBACK")
            log.info("collections lists %s: already published, nothing changed (%s treatments, %s reminders)",
                     business_date, summary["treatment_list_rows"], summary["reminder_list_rows"])  # fmt: skip
            return {**summary, "status": "unchanged"}
        pub.seal(con)
        con.execute("COMMIT")
        published = pub.deliver(con)
    log.info("collections lists %s published for %s: %s treatments, %s reminders", business_date, list_date,
             summary["treatment_list_rows"], summary["reminder_list_rows"])  # fmt: skip
    return {**summary, "status": "published", "files": [str(p) for p in published]}
