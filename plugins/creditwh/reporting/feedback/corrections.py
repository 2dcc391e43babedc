"""What the next publication must re-send because a bureau rejected it: the one home of "open rejection".

A rejection is open until a later publication of the same period carries its account again (a row of the
bureau's publication state with a higher sequence than the rejected file's); restricted.rpt_bureau_rejections
reports the same thing (is_corrected) and is tested against open_rejections_sql.

The publications use their own correction path (no second one): before comparing the period's rows with what
was delivered, they call a reopen_* hook that makes the open rejections' accounts count as not delivered as
they are (Metro 2: the delivered hash is forgotten, so the account goes out again with Correction Indicator 1;
PBOC: a rejected 210 counts as never submitted and is sent again as a 210, a rejected 212 forgets the hash of
the segment the rejected element belongs to, so a 212 按段更正 of that segment goes out, a rejected 213 / 214
is sent again). The publication's state rows then close the rejections, so a second run sends nothing.
periods_to_correct lists the earlier periods with open rejections: the next publication of a later period
publishes their corrections first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb

from creditwh.reporting.feedback.parser import table_exists
from creditwh.reporting.feedback.spec import BUREAUS, REJECTIONS


def open_rejections_sql(bureau: str) -> str:
    """SELECT the bureau's open rejections (REJECTIONS rows)."""
    state = BUREAUS[bureau].state_table
    return f"""SELECT r.* FROM {REJECTIONS} r
        WHERE r.bureau = '{bureau}' AND NOT EXISTS (
            SELECT 1 FROM {state} s WHERE s.period_end = r.period_end AND s.account_id = r.account_id
            AND s.publication_sequence > r.submitted_sequence)"""


def _has_feedback(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, REJECTIONS)


def periods_to_correct(con: duckdb.DuckDBPyConnection, bureau: str, before: dt.date) -> list[dt.date]:
    """Periods before `before` with open rejections of `bureau`, oldest first."""
    if not _has_feedback(con):
        return []
    rows = con.execute(f"SELECT DISTINCT period_end FROM ({open_rejections_sql(bureau)}) WHERE period_end < ? "
                       "ORDER BY 1", [before]).fetchall()  # fmt: skip
    return [r[0] for r in rows]


def with_feedback_corrections(
    con: duckdb.DuckDBPyConnection, bureau: str, period_end: dt.date, publish: Callable[[dt.date], dict]
) -> dict:
    """`publish(period_end)`, after `publish` of every earlier period whose records the bureau rejected and
    that no publication corrected yet: the next publication of a bureau carries them, whatever period it
    is run for. Their summaries are under "feedback_corrections"."""
    earlier = [publish(p) for p in periods_to_correct(con, bureau, period_end)]
    summary = publish(period_end)
    return {**summary, "feedback_corrections": earlier} if earlier else summary


def reopen_metro2(con: duckdb.DuckDBPyConnection, period_end: dt.date, delivered: str) -> int:
    """Forget the delivered row hash of the period's accounts with open rejections in temp table
    `delivered` (account_id, row_hash): they count as changed. Returns how many."""
    if not _has_feedback(con):
        return 0
    accounts = f"SELECT account_id FROM ({open_rejections_sql('METRO2')}) WHERE period_end = $p"
    con.execute(f"UPDATE {delivered} SET row_hash = NULL WHERE account_id IN ({accounts})", {"p": period_end})
    return con.execute(f"SELECT count(*) FROM {delivered} WHERE account_id IN ({accounts})",
                       {"p": period_end}).fetchone()[0]  # fmt: skip


def reopen_pboc(con: duckdb.DuckDBPyConnection, period_end: dt.date, delivered: str, codes: list[str]) -> int:
    """Make the period's accounts with open rejections in temp table `delivered` (the last submitted state:
    present, hash_<segment>) be sent again: a rejected 210 as not submitted, a rejected 212 without the hash
    of each rejected segment, a rejected 213 / 214 as still present. Returns how many accounts."""
    if not _has_feedback(con):
        return 0
    segments = ", ".join(
        f"bool_or(record_type = '212' AND segment = '{c.upper()}') AS fix_{c}" for c in codes
    )
    con.execute(f"""CREATE OR REPLACE TEMP TABLE feedback_reopen AS
        SELECT account_id, bool_or(record_type = '210') AS resend_210,
               bool_or(record_type IN ('213', '214')) AS resend_delete, {segments}
        FROM ({open_rejections_sql('PBOC')}) WHERE period_end = $p GROUP BY account_id""", {"p": period_end})  # fmt: skip
    hashes = ", ".join(f"hash_{c} = CASE WHEN o.fix_{c} THEN NULL ELSE d.hash_{c} END" for c in codes)
    con.execute(f"""UPDATE {delivered} AS d SET
        present = CASE WHEN o.resend_210 THEN false WHEN o.resend_delete THEN true ELSE d.present END, {hashes}
        FROM feedback_reopen o WHERE d.account_id = o.account_id""")  # fmt: skip
    return con.execute(f"SELECT count(*) FROM {delivered} WHERE account_id IN "
                       "(SELECT account_id FROM feedback_reopen)").fetchone()[0]  # fmt: skip
