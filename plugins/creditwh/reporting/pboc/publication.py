"""What was submitted to the PBOC, and what a run of a period must send.

reporting.pboc_published holds one row per account per publication of a period: the sequence, whether the
account's period record stands after it (present), and a hash of each segment as submitted (B 基础段,
C 基本信息段, H 月度表现信息段, J 非月度表现信息段; J NULL when the record has none). A period's first
publication is pboc_r2_<YYYYMMDD>.xml with a 210 record per account. A re-run compares the model's rows with
the last submitted state of each account: unchanged rows send nothing (the submitted bytes stand); a
restated period goes out as correction n, one file per record type (pboc_r2_<YYYYMMDD>_cNN_<type>.xml):

* 212 按段更正: one record per changed segment of an account already submitted (the corrected segment);
* 213 按段删除: a non-monthly segment the period no longer has, or the period's H/J segments of an account
  that must leave the period but keeps records of other periods;
* 214 整笔删除: an account that must leave the period and has no record in any other period;
* 210: accounts new to the period.

Deletions the period itself owes (restricted.rpt_bureau_purges, docs/pboc.md §6) go out with its
publication, original or correction: 213 for negative history 5 years after the delinquency ended (the
episode's H / J segments over the periods reported), 214 for an account closed for confirmed fraud. Each is
sent once: reporting.pboc_deletions_published keeps what was sent, and only what the PBOC holds is deleted
(a period of the account submitted and standing, for a 213; any, for a 214).

publish_period(con, settings, period_end, reporter) -> dict   the whole publication, in one transaction
stage(con, period_end, reporter) -> PbocChanges                 the accounts to act on, in temp table OUT

Staging keeps no segment text: ROWS is a view of the model's period, OUT holds each account's action and
segment hashes (md5 of the segment's XML, computed as the rows are read), and records_sql renders the text
of the segments it sends from ROWS while the writer writes them. Memory stays a few hashes per account, not
the ~1 KB of XML per account that a copy of every segment's text would hold (twice) at 10M accounts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from creditwh.checksums import FileDigest
from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.reporting.feedback.corrections import reopen_pboc
from creditwh.reporting.pboc.reporter import PbocReporter
from creditwh.reporting.pboc.spec import (
    ACCOUNT,
    ACCOUNT_DELETE,
    BASE,
    CORRECTION,
    SEGMENT_BY_CODE,
    SEGMENT_DELETE,
    SEGMENTS,
    file_name,
)

log = logging.getLogger(__name__)

EXTRACT = "pboc"
MODEL = "restricted.rpt_pboc_card_accounts"
PUBLISHED = "reporting.pboc_published"
PURGES = "restricted.rpt_bureau_purges"
DELETIONS = "reporting.pboc_deletions_published"  # the purges sent (213 negative history, 214 fraud)
ROWS = "pboc_rows"  # temp view: the model's rows of the period with the reporter's management org code
OUT = "pboc_out"  # temp table: the accounts this publication acts on (actions and hashes, no segment text)
DUE = "pboc_due_deletions"  # temp table: the period's purges not yet sent
RECORD_TYPES = (ACCOUNT, CORRECTION, SEGMENT_DELETE, ACCOUNT_DELETE)
_CODES = [s.code.lower() for s in SEGMENTS]  # b, c, h, j


class NothingToReport(PipelineError):
    """The period end's dbt run has not happened (no account rows for the period at all)."""


@dataclass(frozen=True)
class PbocChanges:
    period_end: dt.date
    sequence: int  # 0 = the period's original submission, n = its n-th correction
    accounts: int  # rows of the model for the period
    records: dict[str, int]  # records to write per record type

    @property
    def kind(self) -> str:
        return "correction" if self.sequence else "original"

    @property
    def nothing_to_send(self) -> bool:
        return not any(self.records.values())


def ensure_state_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {PUBLISHED} (
        period_end DATE NOT NULL, publication_sequence INTEGER NOT NULL, account_id VARCHAR NOT NULL,
        acct_code VARCHAR NOT NULL, present BOOLEAN NOT NULL, record_types VARCHAR NOT NULL,
        hash_b VARCHAR, hash_c VARCHAR, hash_h VARCHAR, hash_j VARCHAR,
        PRIMARY KEY (period_end, publication_sequence, account_id))""")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {DELETIONS} (
        period_end DATE NOT NULL, publication_sequence INTEGER NOT NULL, account_id VARCHAR NOT NULL,
        acct_code VARCHAR NOT NULL, reason VARCHAR NOT NULL, record_type VARCHAR NOT NULL,
        del_sgmt_code VARCHAR, del_start_date DATE, del_end_date DATE)""")


def _segment_sql(code: str) -> str:
    """SQL giving segment `code`'s XML text from a row of ROWS (J: NULL when the record has none)."""
    from creditwh.reporting.pboc.writer import segment_sql

    text = segment_sql(SEGMENT_BY_CODE[code.upper()])
    return f"CASE WHEN has_non_monthly_segment THEN {text} END" if code.upper() == "J" else text


def _sql_literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def stage(con: duckdb.DuckDBPyConnection, period_end: dt.date, reporter: PbocReporter) -> PbocChanges:
    """The period's records with their segment hashes, compared with the last submitted state of each
    account; the accounts to act on go into temp table OUT with their action."""
    from creditwh.reporting.pboc.writer import value_sql

    ensure_state_tables(con)
    params = {"p": period_end}
    # 业务管理机构代码 is a deployment setting (reporter), not data of the model; a view (no copy of the rows),
    # so its parameters are literals
    con.execute(f"""CREATE OR REPLACE TEMP VIEW {ROWS} AS
        SELECT *, CAST({_sql_literal(reporter.management_org_code)} AS VARCHAR) AS mngmt_org_code
        FROM {MODEL} WHERE period_end = DATE {_sql_literal(period_end.isoformat())}""")  # fmt: skip
    (rows,) = con.execute(f"SELECT count(*) FROM {ROWS}").fetchone()
    acct_code = value_sql(BASE.element("AcctCode"))
    # the hashes only: a segment's text is rendered again when it is written (records_sql)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE pboc_current AS
        SELECT account_id, {acct_code} AS acct_code, {", ".join(f"md5({_segment_sql(c)}) AS hash_{c}" for c in _CODES)}
        FROM {ROWS}""")  # fmt: skip
    (sequence,) = con.execute(
        f"SELECT coalesce(max(publication_sequence) + 1, 0) FROM {PUBLISHED} WHERE period_end = $p", params
    ).fetchone()
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE pboc_delivered AS
        SELECT * FROM {PUBLISHED} WHERE period_end = $p
        QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY publication_sequence DESC) = 1""",
        params,
    )
    reopen_pboc(con, period_end, "pboc_delivered", _CODES)  # records the PBOC rejected are sent again
    # what was deleted for good (a 213 of old negative history covering this period, a 214) is never sent again,
    # not even by a restatement of the period
    for table in ("pboc_current", "pboc_delivered"):
        con.execute(f"""DELETE FROM {table} WHERE account_id IN (
            SELECT account_id FROM {DELETIONS} WHERE record_type = '{ACCOUNT_DELETE}'
               OR (record_type = '{SEGMENT_DELETE}' AND $p BETWEEN del_start_date AND del_end_date))""", params)  # fmt: skip
    changed = " OR ".join(f"c.hash_{x} IS DISTINCT FROM d.hash_{x}" for x in _CODES)
    # accounts leaving the period that keep a standing record of another period (213, else 214)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {OUT} AS
        WITH actions AS (
            SELECT coalesce(c.account_id, d.account_id) AS account_id,
                   coalesce(c.acct_code, d.acct_code) AS acct_code,
                   CASE WHEN d.account_id IS NULL OR NOT d.present THEN 'NEW'
                        WHEN c.account_id IS NULL THEN 'REMOVE' ELSE 'CHANGE' END AS action,
                   {", ".join(f"c.hash_{x}, d.hash_{x} AS old_hash_{x}" for x in _CODES)}
            FROM pboc_current c FULL JOIN pboc_delivered d USING (account_id)
            WHERE (c.account_id IS NULL AND d.present)
               OR (c.account_id IS NOT NULL AND (d.account_id IS NULL OR NOT d.present OR {changed}))),
        elsewhere AS (
            SELECT DISTINCT account_id FROM (
                SELECT account_id, present FROM {PUBLISHED}
                WHERE period_end <> $p AND account_id IN (SELECT account_id FROM actions WHERE action = 'REMOVE')
                QUALIFY row_number() OVER (PARTITION BY account_id, period_end
                                           ORDER BY publication_sequence DESC) = 1)
            WHERE present)
        SELECT actions.*, elsewhere.account_id IS NOT NULL AS has_other_periods
        FROM actions LEFT JOIN elsewhere USING (account_id)""", params)  # fmt: skip
    _stage_due_deletions(con, period_end)
    if not rows and not sequence:
        (days,) = con.execute(
            "SELECT count(*) FROM marts.fct_account_daily WHERE business_date = $p", params
        ).fetchone()
        if not days:
            raise NothingToReport(f"no account rows for period {period_end}: was dbt run for that date?")
    records = {t: con.execute(f"SELECT count(*) FROM ({records_sql(t, period_end)})").fetchone()[0]
               for t in RECORD_TYPES}  # fmt: skip
    return PbocChanges(period_end, int(sequence), int(rows), {t: int(n) for t, n in records.items()})


def _stage_due_deletions(con: duckdb.DuckDBPyConnection, period_end: dt.date) -> None:
    """The period's purges (PURGES) not sent yet, of records the PBOC holds, into temp table DUE."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {DUE} AS
        WITH standing AS (
            SELECT account_id, period_end, present FROM {PUBLISHED}
            QUALIFY row_number() OVER (PARTITION BY account_id, period_end ORDER BY publication_sequence DESC) = 1)
        SELECT u.account_id, u.acct_code, u.reason, u.record_type, u.del_sgmt_code, u.del_start_date,
               u.del_end_date
        FROM {PURGES} u
        WHERE u.period_end = $p AND u.bureau = 'PBOC'
          AND NOT EXISTS (SELECT 1 FROM {DELETIONS} d
                          WHERE d.account_id = u.account_id AND d.record_type = u.record_type
                            AND d.del_sgmt_code IS NOT DISTINCT FROM u.del_sgmt_code
                            AND d.del_start_date IS NOT DISTINCT FROM u.del_start_date)
          AND EXISTS (SELECT 1 FROM standing s
                      WHERE s.account_id = u.account_id AND s.present
                        AND (u.record_type = '{ACCOUNT_DELETE}'
                             OR s.period_end BETWEEN u.del_start_date AND u.del_end_date))""",
                {"p": period_end})  # fmt: skip


def _with_segments(where: str, codes: list[str]) -> str:
    """The rows of ROWS whose account is in OUT matching `where`: acct_code and the text of segments `codes`
    (seg_<code>), rendered after the filter."""
    segments = ", ".join(f"{_segment_sql(c)} AS seg_{c}" for c in codes)
    # joined from OUT's acct_code: the writer's key range filters OUT, and the join hands its bounds to the
    # scan of the model, instead of every range computing the code of every row of the period again
    return (f"SELECT out_code AS acct_code, {segments} FROM (SELECT account_id, acct_code AS out_code FROM {OUT} "
            f"WHERE {where}) JOIN {ROWS} USING (account_id)")  # fmt: skip


def records_sql(record_type: str, period_end: dt.date) -> str:
    """The records of `record_type` this publication sends, from OUT (segment text from ROWS): a SELECT of
    (sort_key, rec)."""
    day = period_end.isoformat()
    code = "'<DelRecCode>' || acct_code || '</DelRecCode>'"
    if record_type == ACCOUNT:
        new = _with_segments("action = 'NEW'", _CODES)
        return (f"SELECT acct_code AS sort_key, concat('<InAcctInf>', seg_b, seg_c, seg_h, seg_j, '</InAcctInf>') "
                f"AS rec FROM ({new})")  # fmt: skip
    if record_type == CORRECTION:
        parts = []
        for segment in SEGMENTS:
            x = segment.code.lower()
            changed = f"action = 'CHANGE' AND hash_{x} IS NOT NULL AND hash_{x} IS DISTINCT FROM old_hash_{x}"
            parts.append(
                f"SELECT acct_code || '|{segment.code}' AS sort_key, '<InAcctMdfc><InfRecType>212</InfRecType>"
                f"<ModRecCode>' || acct_code || '</ModRecCode><RptDate>{day}</RptDate><AcctType>R2</AcctType>"
                f"<MdfcSgmtCode>{segment.code}</MdfcSgmtCode>' || seg_{x} || '</InAcctMdfc>' AS rec "
                f"FROM ({_with_segments(changed, [x])})"
            )
        return " UNION ALL ".join(parts)
    if record_type == SEGMENT_DELETE:
        deletion = (f"'<InAcctDel><InfRecType>213</InfRecType>' || {code} || '<DelSgmtCode>' || segment "
                    f"|| '</DelSgmtCode><DelStartDate>{day}</DelStartDate><DelEndDate>{day}</DelEndDate></InAcctDel>'")  # fmt: skip
        return f"""SELECT acct_code || '|' || segment AS sort_key, {deletion} AS rec FROM (
            SELECT acct_code, 'J' AS segment FROM {OUT}
            WHERE action = 'CHANGE' AND hash_j IS NULL AND old_hash_j IS NOT NULL
            UNION ALL SELECT acct_code, 'H' FROM {OUT} WHERE action = 'REMOVE' AND has_other_periods
            UNION ALL SELECT acct_code, 'J' FROM {OUT}
            WHERE action = 'REMOVE' AND has_other_periods AND old_hash_j IS NOT NULL)
        WHERE acct_code NOT IN (SELECT acct_code FROM {DUE} WHERE record_type = '{ACCOUNT_DELETE}')
        UNION ALL
        SELECT acct_code || '|' || del_sgmt_code || '|' || del_start_date AS sort_key,
               '<InAcctDel><InfRecType>213</InfRecType><DelRecCode>' || acct_code || '</DelRecCode><DelSgmtCode>'
               || del_sgmt_code || '</DelSgmtCode><DelStartDate>' || del_start_date || '</DelStartDate><DelEndDate>'
               || del_end_date || '</DelEndDate></InAcctDel>' AS rec
        FROM {DUE} WHERE record_type = '{SEGMENT_DELETE}'"""
    if record_type == ACCOUNT_DELETE:
        return (f"SELECT acct_code AS sort_key, '<InAcctEntDel><InfRecType>214</InfRecType>' || {code} "
                f"|| '</InAcctEntDel>' AS rec FROM {OUT} WHERE action = 'REMOVE' AND NOT has_other_periods "
                f"AND acct_code NOT IN (SELECT acct_code FROM {DUE} WHERE record_type = '{ACCOUNT_DELETE}') "
                f"UNION ALL SELECT acct_code, '<InAcctEntDel><InfRecType>214</InfRecType>' || {code} "
                f"|| '</InAcctEntDel>' FROM {DUE} WHERE record_type = '{ACCOUNT_DELETE}'")  # fmt: skip
    raise ValueError(f"unknown record type {record_type}")


def record(con: duckdb.DuckDBPyConnection, changes: PbocChanges) -> None:
    """Append the state of the accounts acted on (in the transaction that seals the files)."""
    con.execute(f"""INSERT INTO {PUBLISHED}
        SELECT $p, $seq, account_id, acct_code, action <> 'REMOVE',
               CASE action WHEN 'NEW' THEN '210' WHEN 'CHANGE' THEN '212/213'
                           ELSE CASE WHEN has_other_periods THEN '213' ELSE '214' END END,
               {", ".join(f"hash_{x}" for x in _CODES)}
        FROM {OUT}""", {"p": changes.period_end, "seq": changes.sequence})  # fmt: skip
    con.execute(f"INSERT INTO {DELETIONS} SELECT $p, $seq, * FROM {DUE}",
                {"p": changes.period_end, "seq": changes.sequence})  # fmt: skip


def control_totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Whole-yuan sums of the period's records as reported (the manifest's control totals)."""
    balance, overdue = con.execute(
        f"SELECT coalesce(sum(acct_bal), 0)::BIGINT, coalesce(sum(tot_overd), 0)::BIGINT FROM {ROWS}"
    ).fetchone()
    return {"acct_bal": int(balance), "tot_overd": int(overdue)}


def previous_file(con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date) -> Path | None:
    """The original file submitted for the latest earlier period (the continuity check), or None."""
    from creditwh.publish import outbox_dir

    row = con.execute(
        f"SELECT max(period_end) FROM {PUBLISHED} WHERE period_end < ? AND publication_sequence = 0",
        [period_end],
    ).fetchone()
    if row[0] is None:
        return None
    path = outbox_dir(settings, EXTRACT, row[0]) / file_name(row[0])
    return path if path.exists() else None


def _deleted_whole(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """The accounts this publication's 214s delete whole (fraud): the PBOC no longer holds them, so the
    continuity check (X_VANISHED) must not expect them in this period's file."""
    rows = con.execute(f"SELECT acct_code FROM {DUE} WHERE record_type = '{ACCOUNT_DELETE}'").fetchall()
    return frozenset(code for (code,) in rows)


def publish_period(
    con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date, reporter: PbocReporter
) -> dict:
    """Publish `period_end` (_publish_period), after the corrections of records the bureau rejected in
    earlier periods' files (creditwh.reporting.feedback)."""
    from creditwh.reporting.feedback.corrections import with_feedback_corrections

    return with_feedback_corrections(
        con, "PBOC", period_end, lambda period: _publish_period(con, settings, period, reporter)
    )


def _publish_period(
    con: duckdb.DuckDBPyConnection, settings: Settings, period_end: dt.date, reporter: PbocReporter
) -> dict:
    """Write, validate and publish the PBOC file of `period_end` (or its correction files) to
    outbox/pboc/<period_end>/: state rows and the sealed files in one warehouse transaction, then the move
    into the outbox. On an error the caller rolls the connection back (nothing is published)."""
    from creditwh.publish import Publication
    from creditwh.reporting.pboc.validator import validate_pboc
    from creditwh.reporting.pboc.writer import MessageHeader, write_message

    con.execute("BEGIN")
    changes = stage(con, period_end, reporter)
    summary = {
        "period_end": period_end.isoformat(),
        "sequence": changes.sequence,
        "accounts": changes.accounts,
    }
    if changes.nothing_to_send:
        con.execute("ROLLBACK")
        status = "unchanged" if changes.sequence else "no_accounts"
        log.info("pboc %s: %s, nothing to send", period_end, status)
        return {**summary, "status": status, "records": {}, "files": []}
    previous = previous_file(con, settings, period_end)
    with Publication(settings, EXTRACT, period_end) as pub:
        deleted_whole = _deleted_whole(con)
        for record_type, count in changes.records.items():
            if not count:
                continue
            name = file_name(period_end, changes.sequence, record_type)
            header = MessageHeader(record_type, reporter.data_provider_org_code, period_end, changes.sequence)
            written = write_message(con, records_sql(record_type, period_end), header, pub.path(name))
            original = record_type == ACCOUNT and not changes.sequence
            report = validate_pboc(
                pub.path(name), previous_path=previous if original else None, deleted_whole=deleted_whole
            )
            report.raise_for_errors()  # nothing is published; the staging directory is removed
            if report.records != written.records:
                raise PipelineError(
                    f"{name}: validator read {report.records} records, writer wrote {written.records}"
                )
            pub.add(name, records=written.records, kind=changes.kind,
                    digest=FileDigest(written.sha256, written.byte_size),  # hashed as written
                    control_totals=control_totals(con) if original else {},
                    extra={"record_type": record_type, "sequence": changes.sequence,
                           "validated_against": previous.name if original and previous else None,
                           "layout": "modelled on public sources; not an official PBOC specification"})  # fmt: skip
        pub.seal(con)
        record(con, changes)
        con.execute("COMMIT")
        published = pub.deliver(con)
    log.info("pboc %s published (%s): %s", period_end, changes.kind, ", ".join(p.name for p in published))
    return {**summary, "status": "published", "kind": changes.kind, "records": changes.records,
            "files": [str(p) for p in published]}  # fmt: skip
