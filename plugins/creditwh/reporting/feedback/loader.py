"""Load a validated feedback file: keep the file, replace its rows in one transaction.

raw.bureau_feedback_files     one row per submitted file that has feedback (the header, where the file is kept)
raw.bureau_feedback_rejections one row per rejection line, with the account and the submitted publication

Both are keyed by (bureau, submitted_file): loading feedback for a file again (a corrected feedback, the
same file twice) replaces its rows, never adds to them. The file itself is kept under
<data_dir>/feedback/<extract>/<period end>/, named by its content hash, before the rows commit.

load_feedback(settings, path) -> dict   validate (parser.py), keep, replace; a small summary
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
from pathlib import Path

import duckdb

from creditwh.checksums import sha256_file
from creditwh.config import Settings
from creditwh.reporting.feedback.parser import (
    ROWS,
    FeedbackRejected,
    Finding,
    check_lines,
    check_rows,
    read_header,
)
from creditwh.reporting.feedback.spec import FILES, REJECTIONS

log = logging.getLogger(__name__)


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {FILES} (
        bureau VARCHAR NOT NULL, submitted_file VARCHAR NOT NULL, period_end DATE NOT NULL,
        submitted_sequence INTEGER NOT NULL, record_type VARCHAR, received_on DATE NOT NULL,
        records_submitted BIGINT NOT NULL, records_rejected BIGINT NOT NULL, feedback_sha256 VARCHAR NOT NULL,
        kept_as VARCHAR NOT NULL, _loaded_at TIMESTAMP NOT NULL, PRIMARY KEY (bureau, submitted_file))""")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {REJECTIONS} (
        bureau VARCHAR NOT NULL, submitted_file VARCHAR NOT NULL, line_number INTEGER NOT NULL,
        period_end DATE NOT NULL, submitted_sequence INTEGER NOT NULL, record_type VARCHAR,
        record_key VARCHAR NOT NULL, account_id VARCHAR NOT NULL, field VARCHAR NOT NULL,
        segment VARCHAR NOT NULL, error_code VARCHAR NOT NULL, message VARCHAR NOT NULL,
        PRIMARY KEY (bureau, submitted_file, line_number))""")


def feedback_dir(settings: Settings, extract: str, period_end: dt.date) -> Path:
    return settings.data_dir / "feedback" / extract / f"{period_end:%Y-%m-%d}"


def _keep(settings: Settings, path: Path, extract: str, period_end: dt.date, submitted_file: str) -> Path:
    """Copy the feedback file next to the others of its period (atomic rename; same content, same name)."""
    digest = sha256_file(path).sha256
    target = feedback_dir(settings, extract, period_end) / f"{submitted_file}.{digest[:16]}.feedback.jsonl"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    return target


def load_feedback(settings: Settings, path: Path | str) -> dict:
    """Validate `path` against the outbox and the publication state, keep it, and replace the feedback rows
    of its submitted file. Raises FeedbackRejected (nothing loaded) naming file, line and rule."""
    path = Path(path)
    if not path.is_file():
        raise FeedbackRejected(path, [Finding(None, "missing", "no such file")])
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        check_lines(con, path)
        header = read_header(con, settings, path)
        rejected = check_rows(con, path, header)
        kept = _keep(settings, path, header.bureau.extract, header.period_end, header.submitted_file)
        key = {"bureau": header.bureau.code, "file": header.submitted_file}
        con.execute("BEGIN")
        ensure_tables(con)
        for table in (FILES, REJECTIONS):
            con.execute(f"DELETE FROM {table} WHERE bureau = $bureau AND submitted_file = $file", key)
        con.execute(f"""INSERT INTO {FILES} VALUES ($bureau, $file, $period, $sequence, $type, $received,
                        $submitted, $rejected, $sha, $kept, current_timestamp::TIMESTAMP)""",
                    {**key, "period": header.period_end, "sequence": header.submitted_sequence,
                     "type": header.record_type, "received": header.received_on,
                     "submitted": header.records_submitted, "rejected": rejected,
                     "sha": sha256_file(kept).sha256, "kept": str(kept.relative_to(settings.data_dir))})  # fmt: skip
        con.execute(f"""INSERT INTO {REJECTIONS}
            SELECT $bureau, $file, line_number, $period, $sequence, $type, record_key, account_id, field,
                   segment, error_code, message
            FROM {ROWS}""", {**key, "period": header.period_end, "sequence": header.submitted_sequence,
                             "type": header.record_type})  # fmt: skip
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # no transaction open
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    log.info(
        "%s feedback for %s loaded: %d rejected records", header.bureau.code, header.submitted_file, rejected
    )
    return {"bureau": header.bureau.code, "submitted_file": header.submitted_file,
            "period_end": header.period_end.isoformat(), "received_on": header.received_on.isoformat(),
            "records_submitted": header.records_submitted, "records_rejected": rejected,
            "kept_as": str(kept)}  # fmt: skip
