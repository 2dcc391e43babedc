"""What was delivered to the bureaus, and what a run of a period must send.

reporting.bureau_published holds one row per account per delivered file: the period, the publication
sequence, the file name, the Correction Indicator and a hash of the account's reported fields (Base Segment
inputs and its J1 segments). A period's first publication is `metro2_<YYYYMMDD>.dat` with every account. A
re-run compares the model's rows with the last delivered hash of each account: unchanged rows publish
nothing (the delivered bytes stand); changed rows (a restated period) go into `metro2_<YYYYMMDD>_cNN.dat`
with Correction Indicator 1, accounts new to the period with 0.

Before anything is published the file passes the validator (the file alone, and its continuity with the
previous period's original) and the consistency checks (creditwh.reporting.metro2.consistency: no account
with a non-final status vanishes from the previous period's delivered files; every delinquent record's Date
of First Delinquency agrees with the daily history).

publish_period(con, settings, period_end, reporter) -> dict   the whole publication, in one transaction
stage(con, period_end, identification_number) -> BureauChanges the rows to send, in temp table OUT
record(con, changes)                                           their state rows, as the file is sealed
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.reporting.feedback.corrections import reopen_metro2
from creditwh.reporting.metro2.reporter import BureauReporter

log = logging.getLogger(__name__)

EXTRACT = "metro2"
MODEL = "restricted.rpt_bureau_accounts"
J1_MODEL = "restricted.rpt_bureau_j1"
PUBLISHED = "reporting.bureau_published"
OUT = "bureau_out"  # temp table: the accounts this publication sends, with their row hashes


class NothingToReport(PipelineError):
    """The bureau model has no rows for the period (the period end's dbt run has not happened)."""


@dataclass(frozen=True)
class BureauChanges:
    period_end: dt.date
    sequence: int  # 0 = the period's original file, n = its n-th correction
    accounts: int  # rows of the model for the period
    changed: int  # accounts in OUT

    @property
    def kind(self) -> str:
        return "correction" if self.sequence else "original"

    @property
    def file_name(self) -> str:
        return (
            f"metro2_{self.period_end:%Y%m%d}" + (f"_c{self.sequence:02d}" if self.sequence else "") + ".dat"
        )

    @property
    def nothing_to_send(self) -> bool:
        return bool(self.sequence) and not self.changed


def ensure_state_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {PUBLISHED} (
        period_end DATE NOT NULL, publication_sequence INTEGER NOT NULL, file_name VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL, correction_indicator INTEGER NOT NULL, row_hash VARCHAR NOT NULL,
        PRIMARY KEY (period_end, publication_sequence, account_id))""")


def _base_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    from creditwh.reporting.metro2.writer import BASE_INPUT_COLUMNS

    present = {r[0] for r in con.execute("DESCRIBE bureau_rows").fetchall()}
    return [c for c in BASE_INPUT_COLUMNS if c in present]


def stage(con: duckdb.DuckDBPyConnection, period_end: dt.date, identification_number: str) -> BureauChanges:
    """The period's rows with their hashes, compared with the last delivered version of each account: the
    accounts to send go into temp table OUT (Correction Indicator 1 for an account delivered before)."""
    ensure_state_tables(con)
    # the furnisher's identification number is a deployment setting (reporter), not data of the model
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE bureau_rows AS
        SELECT *, CAST($ident AS VARCHAR) AS identification_number
        FROM {MODEL} WHERE period_end = $p""",
        {"ident": identification_number, "p": period_end},
    )
    (rows,) = con.execute("SELECT count(*) FROM bureau_rows").fetchone()
    if not rows:
        raise NothingToReport(f"{MODEL} has no rows for period {period_end}: was dbt run for that date?")
    columns = _base_columns(con)
    j1_hash = (f"(SELECT account_id, string_agg(md5(CAST(j AS VARCHAR)), '' ORDER BY j.ordinal) AS h "
               f"FROM {J1_MODEL} j WHERE period_end = $p GROUP BY account_id)")  # fmt: skip
    struct = ", ".join(f"'{c}': b.\"{c}\"" for c in columns if c != "correction_indicator")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE bureau_current AS
        SELECT b.*, md5(CAST({{{struct}}} AS VARCHAR) || coalesce(j.h, '')) AS row_hash
        FROM bureau_rows b LEFT JOIN {j1_hash} j USING (account_id)""",
                {"p": period_end})  # fmt: skip
    (sequence,) = con.execute(
        f"SELECT coalesce(max(publication_sequence) + 1, 0) FROM {PUBLISHED} WHERE period_end = ?",
        [period_end],
    ).fetchone()
    # the last delivered version of each account of the period
    con.execute(f"""CREATE OR REPLACE TEMP TABLE bureau_delivered AS
        SELECT account_id, row_hash FROM {PUBLISHED} WHERE period_end = $p
        QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY publication_sequence DESC) = 1""",
                {"p": period_end})  # fmt: skip
    reopen_metro2(con, period_end, "bureau_delivered")  # records the bureau rejected count as changed
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {OUT} AS
        SELECT c.* REPLACE (CASE WHEN d.account_id IS NULL THEN 0 ELSE 1 END AS correction_indicator)
        FROM bureau_current c LEFT JOIN bureau_delivered d USING (account_id)
        WHERE d.row_hash IS DISTINCT FROM c.row_hash""")
    (changed,) = con.execute(f"SELECT count(*) FROM {OUT}").fetchone()
    return BureauChanges(period_end, int(sequence), int(rows), int(changed))


def j1_query(period_end: dt.date) -> str:
    """The J1 segments of the accounts in OUT (the writer's j1 argument)."""
    return (f"SELECT j.* FROM {J1_MODEL} j WHERE j.period_end = DATE '{period_end.isoformat()}' "
            f"AND j.account_id IN (SELECT account_id FROM {OUT})")  # fmt: skip


def control_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Whole-dollar sums of OUT as the file reports them (the manifest's control totals)."""
    balance, past_due = con.execute(f"""SELECT
            coalesce(sum(least(greatest(floor(current_balance), 0), 999999999)), 0)::BIGINT,
            coalesce(sum(least(greatest(floor(amount_past_due), 0), 999999999)), 0)::BIGINT
        FROM {OUT}""").fetchone()
    return {"current_balance": int(balance), "amount_past_due": int(past_due)}


def record(con: duckdb.DuckDBPyConnection, changes: BureauChanges) -> None:
    """Append the sent accounts to the state (in the transaction that seals the file)."""
    con.execute(f"""INSERT INTO {PUBLISHED}
        SELECT period_end, $seq, $name, account_id, correction_indicator, row_hash FROM {OUT}""",
                {"seq": changes.sequence, "name": changes.file_name})  # fmt: skip


def previous_file(con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date) -> Path | None:
    """The original file delivered for the latest earlier period (continuity checks), or None."""
    from creditwh.publish import outbox_dir

    row = con.execute(
        f"""SELECT period_end, file_name FROM {PUBLISHED}
            WHERE period_end < ? AND publication_sequence = 0 ORDER BY period_end DESC LIMIT 1""",
        [period_end],
    ).fetchone()
    if row is None:
        return None
    path = outbox_dir(settings, EXTRACT, row[0]) / row[1]
    return path if path.exists() else None


def previous_files(con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date) -> list[Path]:
    """Every file delivered for the latest earlier period (its original, then its corrections in order): what
    the bureau holds for each account is its last record there. A recorded file missing from the outbox is an
    error: without it no one can tell which accounts must be reported again."""
    from creditwh.publish import outbox_dir

    rows = con.execute(
        f"""SELECT DISTINCT period_end, publication_sequence, file_name FROM {PUBLISHED}
            WHERE period_end = (SELECT max(period_end) FROM {PUBLISHED} WHERE period_end < ?)
            ORDER BY publication_sequence""",
        [period_end],
    ).fetchall()
    paths = [outbox_dir(settings, EXTRACT, period) / name for period, _, name in rows]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise PipelineError(
            f"metro2 {period_end}: the previous period's delivered file(s) {', '.join(missing)} are not in the "
            "outbox; the vanished-accounts check needs them (restore them from the delivery archive)"
        )
    return paths


def publish_period(
    con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date, reporter: BureauReporter
) -> dict:
    """Publish `period_end` (_publish_period), after the corrections of records the bureau rejected in
    earlier periods' files (creditwh.reporting.feedback)."""
    from creditwh.reporting.feedback.corrections import with_feedback_corrections

    return with_feedback_corrections(
        con, "METRO2", period_end, lambda period: _publish_period(con, settings, period, reporter)
    )


def _publish_period(
    con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date, reporter: BureauReporter
) -> dict:
    """Write, validate and publish the file of `period_end` (or its correction) to outbox/metro2/<period_end>/:
    state rows and the sealed file in one warehouse transaction, then the move into the outbox. Returns a
    small summary; on an error the caller rolls the connection back (nothing is published)."""
    from creditwh.publish import Publication
    from creditwh.reporting.metro2.consistency import check_consistency
    from creditwh.reporting.metro2.validator import validate_metro2
    from creditwh.reporting.metro2.writer import write_metro2

    con.execute("BEGIN")
    changes = stage(con, period_end, reporter.identification_number)
    summary = {
        "period_end": period_end.isoformat(),
        "sequence": changes.sequence,
        "accounts": changes.accounts,
    }
    if changes.nothing_to_send:
        con.execute("ROLLBACK")
        log.info("metro2 %s: already delivered, no account changed", period_end)
        return {**summary, "status": "unchanged", "records": 0, "files": []}
    name = changes.file_name
    previous = previous_file(con, settings, period_end)
    previous_all = previous_files(con, settings, period_end)
    with Publication(settings, EXTRACT, period_end) as pub:
        written = write_metro2(con, OUT, j1_query(period_end), reporter.header(period_end), pub.path(name))
        report = validate_metro2(pub.path(name), previous_path=previous)
        report.raise_for_errors()  # nothing is published; the staging directory is removed
        consistency = check_consistency(con, pub.path(name), period_end, previous_paths=previous_all,
                                        complete=not changes.sequence)  # fmt: skip
        consistency.raise_for_errors()
        if report.data_records != written.data_records:
            raise PipelineError(f"{name}: validator read {report.data_records} records, "
                                f"writer wrote {written.data_records}")  # fmt: skip
        pub.add(name, records=written.data_records, kind=changes.kind,
                control_totals={**control_totals(con), "j1_segments": written.j1_segments}, extra={
                "sequence": changes.sequence, "physical_records": written.physical_records,
                "trailer": written.trailer, "validated_against": previous.name if previous else None,
                "validation_warnings": report.warning_count,
                "dofd_checked": consistency.dofd_checked, "dofd_bounded": consistency.dofd_bounded,
                "dofd_frozen": consistency.dofd_frozen})  # fmt: skip
        pub.seal(con)
        record(con, changes)
        con.execute("COMMIT")
        published = pub.deliver(con)
    log.info("metro2 %s published: %s (%d records, %s)", period_end, name, written.data_records, changes.kind)
    return {**summary, "status": "published", "kind": changes.kind, "records": written.data_records,
            "files": [str(p) for p in published]}  # fmt: skip
