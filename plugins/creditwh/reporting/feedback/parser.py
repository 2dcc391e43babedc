"""Read and validate a feedback file (creditwh.reporting.feedback.spec) against what was published.

Set-based: DuckDB reads the file's lines, every rule on the rejection lines is one SQL filter. Nothing is
loaded unless every rule passes; the error names the file, the line and the rule of each finding (the first
MAX_REPORTED of them, and how many there were).

Rules:
  missing                the file does not exist
  encoding               the file is not UTF-8 text
  empty                  no line at all
  not_json               a line is not one JSON object
  line_type              "type" is neither header nor rejection, or the header is not the first and only one
  unknown_key            a key the format does not have
  unknown_bureau         bureau is not METRO2 or PBOC
  format_version         format_version is not the one this loader reads
  header_field           a header value missing or malformed (dates YYYY-MM-DD, counts whole numbers >= 0)
  file_name              submitted_file is not a name the bureau's publication writes
  unknown_submitted_file the outbox never delivered submitted_file for that bureau
  period_mismatch        period_end is not the period the submitted file was published for
  submitted_count        records_submitted is not the submitted file's record count (its manifest)
  rejected_count         records_rejected is not the number of rejection lines
  row_field              record_key, field, error_code or message missing or blank
  unknown_field          field is not a field / element of the bureau's layout
  bad_error_code         error_code does not look like the bureau's codes
  unknown_account        record_key names an account the submitted file did not contain
  duplicate_rejection    the same record, field and code twice
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.reporting.feedback.spec import (
    BUREAUS,
    FILE_NAME,
    FORMAT_VERSION,
    Bureau,
    field_segments,
    state_record_types,
)

MAX_REPORTED = 20
HEADER_KEYS = ("type", "format_version", "bureau", "submitted_file", "period_end", "received_on",
               "records_submitted", "records_rejected")  # fmt: skip
ROW_KEYS = ("type", "record_key", "field", "error_code", "message")
LINES = "feedback_lines"  # temp tables of one validation
ROWS = "feedback_rows"


@dataclass(frozen=True)
class Finding:
    line: int | None
    rule: str
    detail: str


class FeedbackRejected(PipelineError):
    """The feedback file breaks the format or does not match what was published: nothing is loaded."""

    def __init__(self, file: Path | str, findings: list[Finding], total: int | None = None):
        self.file, self.findings = str(file), findings
        self.rules = sorted({f.rule for f in findings})
        total = total if total is not None else len(findings)
        lines = [f"{self.file}" + (f", line {f.line}" if f.line else "") + f": rule '{f.rule}' failed: {f.detail}"
                 for f in findings[:MAX_REPORTED]]  # fmt: skip
        more = f"\n... and {total - MAX_REPORTED} more" if total > MAX_REPORTED else ""
        super().__init__("\n".join(lines) + more)


@dataclass(frozen=True)
class FeedbackHeader:
    bureau: Bureau
    submitted_file: str
    period_end: dt.date
    received_on: dt.date
    records_submitted: int
    records_rejected: int
    submitted_sequence: int  # the publication of the period the file belongs to (0 = original)
    record_type: str | None  # PBOC: 210 / 212 / 213 / 214; Metro 2: None


def read_lines(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """The file's lines, numbered from 1, in temp table LINES (a final newline ends the last line)."""
    try:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {LINES} AS
            WITH f AS (SELECT string_split(content, chr(10)) AS lines FROM read_text($path))
            SELECT generate_subscripts(lines, 1) AS line_number, rtrim(unnest(lines), chr(13)) AS line FROM f""",
                    {"path": str(path)})  # fmt: skip
    except duckdb.Error as exc:
        raise FeedbackRejected(
            path, [Finding(None, "encoding", f"cannot be read as UTF-8 text: {exc}")]
        ) from exc
    # the empty string after a final newline is not a line
    con.execute(f"""DELETE FROM {LINES} WHERE line = ''
                    AND line_number = (SELECT max(line_number) FROM {LINES})""")  # fmt: skip
    return con.execute(f"SELECT count(*) FROM {LINES}").fetchone()[0]


def _findings(con: duckdb.DuckDBPyConnection, checks: list[tuple[str, str]], params: dict) -> list[Finding]:
    """Run each (rule, SELECT line_number, detail) check; every finding, in line order."""
    found: list[Finding] = []
    for rule, sql in checks:
        used = {k: v for k, v in params.items() if f"${k}" in sql}  # DuckDB refuses unused parameters
        found += [Finding(line, rule, detail) for line, detail in con.execute(sql, used).fetchall()]
    return sorted(found, key=lambda f: (f.line or 0, f.rule))


def check_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Every line a JSON object with a known type; exactly one header, on line 1."""
    if not read_lines(con, path):
        raise FeedbackRejected(path, [Finding(None, "empty", "the file has no line (a header is required)")])
    # CASE, not AND: DuckDB evaluates both sides, and the JSON functions fail on malformed text
    is_object = "coalesce(CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' END, false)"
    kind = "CASE WHEN json_valid(line) THEN json_extract_string(line, '$.type') END"
    found = _findings(con, [
        ("not_json", f"SELECT line_number, 'not one JSON object: ' || left(line, 80) FROM {LINES} WHERE NOT {is_object}"),
        ("line_type", f"""SELECT line_number, 'type ' || coalesce('"' || {kind} || '"', 'missing')
                          || ' (header or rejection)'
                          FROM {LINES} WHERE {is_object} AND {kind} IS DISTINCT FROM 'header'
                          AND {kind} IS DISTINCT FROM 'rejection'"""),
        ("line_type", f"""SELECT line_number, 'the header must be line 1, and the only header' FROM {LINES}
                          WHERE {is_object} AND ({kind} = 'header') <> (line_number = 1)"""),
    ], {})  # fmt: skip
    if found:
        raise FeedbackRejected(path, found)


def _unknown_keys(keys: list[str], allowed: tuple[str, ...]) -> list[str]:
    return [k for k in keys if k not in allowed]


def read_header(con: duckdb.DuckDBPyConnection, settings: Settings, path: Path) -> FeedbackHeader:
    """Line 1, checked on its own and against the outbox and the bureau's publication state."""
    from creditwh.publish import DELIVERIES, outbox_dir, read_manifest

    (line,) = con.execute(f"SELECT line FROM {LINES} WHERE line_number = 1").fetchone()
    header = json.loads(line)

    def fail(rule: str, detail: str) -> FeedbackRejected:
        return FeedbackRejected(path, [Finding(1, rule, detail)])

    if extra := _unknown_keys(list(header), HEADER_KEYS):
        raise fail("unknown_key", f"header keys {extra} are not in the format ({', '.join(HEADER_KEYS)})")
    bureau = BUREAUS.get(header.get("bureau"))  # type: ignore[arg-type]
    if bureau is None:
        raise fail("unknown_bureau", f"bureau {header.get('bureau')!r} (known: {', '.join(BUREAUS)})")
    if header.get("format_version") != FORMAT_VERSION:
        raise fail("format_version", f"format_version {header.get('format_version')!r}, expected "
                                     f"{FORMAT_VERSION!r}")  # fmt: skip
    dates, counts = {}, {}
    for key in ("period_end", "received_on"):
        try:
            dates[key] = dt.date.fromisoformat(header[key])
        except (KeyError, TypeError, ValueError):
            raise fail("header_field", f"{key} {header.get(key)!r} is not a date YYYY-MM-DD") from None
    for key in ("records_submitted", "records_rejected"):
        value = header.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise fail("header_field", f"{key} {value!r} is not a whole number >= 0")
        counts[key] = value
    name = header.get("submitted_file")
    match = FILE_NAME[bureau.code].match(name) if isinstance(name, str) else None
    if match is None:
        raise fail("file_name", f"submitted_file {name!r} is not a {bureau.code} file name as published")
    delivered = []
    if table_exists(con, DELIVERIES):
        delivered = con.execute(
            f"SELECT as_of_date FROM {DELIVERIES} WHERE extract = ? AND file_name = ? AND delivered",
            [bureau.extract, name],
        ).fetchall()
    if not delivered:
        raise fail("unknown_submitted_file", f"the outbox never delivered a {bureau.extract} file {name!r}")
    (as_of,) = delivered[0]
    if dates["period_end"] != as_of or match["period"] != f"{as_of:%Y%m%d}":
        raise fail(
            "period_mismatch", f"period_end {dates['period_end']} but {name} was published for {as_of}"
        )
    manifest = read_manifest(outbox_dir(settings, bureau.extract, as_of) / name)
    if counts["records_submitted"] != manifest["record_count"]:
        raise fail("submitted_count", f"records_submitted {counts['records_submitted']} but {name} holds "
                                      f"{manifest['record_count']} records")  # fmt: skip
    record_type = match.groupdict().get("record_type") or ("210" if bureau.code == "PBOC" else None)
    return FeedbackHeader(
        bureau, name, as_of, dates["received_on"], counts["records_submitted"], counts["records_rejected"],
        int(match["sequence"] or 0), record_type,
    )  # fmt: skip


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, table = qualified.split(".")
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? "
                            "AND table_name = ?", [schema, table]).fetchone()[0])  # fmt: skip


def _submitted_accounts_sql(header: FeedbackHeader) -> str:
    """SELECT record_key, account_id of the accounts the submitted file contained (its publication state)."""
    bureau = header.bureau
    where = "period_end = $period AND publication_sequence = $sequence"
    if bureau.code == "METRO2":
        where += " AND file_name = $file"
    else:
        types = ", ".join(f"'{t}'" for t in state_record_types(header.record_type) or ())
        where += f" AND record_types IN ({types})"
    return f"SELECT {bureau.key_column} AS record_key, account_id FROM {bureau.state_table} WHERE {where}"


def check_rows(con: duckdb.DuckDBPyConnection, path: Path, header: FeedbackHeader) -> int:
    """The rejection lines in temp table ROWS (with the account and segment each names) once every rule
    passes; returns their count."""
    fields = field_segments(header.bureau.code)
    con.execute("CREATE OR REPLACE TEMP TABLE feedback_fields (field VARCHAR PRIMARY KEY, segment VARCHAR)")
    con.executemany("INSERT INTO feedback_fields VALUES (?, ?)", list(fields.items()))
    params = {"period": header.period_end, "sequence": header.submitted_sequence}
    if header.bureau.code == "METRO2":
        params["file"] = header.submitted_file
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE feedback_submitted AS {_submitted_accounts_sql(header)}", params
    )
    text = {k: f"json_extract_string(line, '$.{k}')" for k in ROW_KEYS}
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {ROWS} AS
        SELECT l.line_number, {", ".join(f"{v} AS {k}" for k, v in text.items() if k != "type")},
               json_keys(line) AS keys, f.segment, s.account_id
        FROM {LINES} l
        LEFT JOIN feedback_fields f ON f.field = {text["field"]}
        LEFT JOIN feedback_submitted s ON s.record_key = {text["record_key"]}
        WHERE l.line_number > 1""")  # fmt: skip
    allowed = "[" + ", ".join(f"'{k}'" for k in ROW_KEYS) + "]"
    blank = " OR ".join(f"nullif(trim({k}), '') IS NULL" for k in ROW_KEYS if k != "type")
    found = _findings(con, [
        ("unknown_key", f"""SELECT line_number, 'keys ' || list_filter(keys, lambda k: NOT list_contains({allowed}, k))
                            ::VARCHAR || ' are not in the format' FROM {ROWS}
                            WHERE len(list_filter(keys, lambda k: NOT list_contains({allowed}, k))) > 0"""),
        ("row_field", f"""SELECT line_number, 'record_key, field, error_code and message are required'
                          FROM {ROWS} WHERE {blank}"""),
        ("unknown_field", f"""SELECT line_number, 'field ' || field || ' is not a {header.bureau.code} field'
                              FROM {ROWS} WHERE field IS NOT NULL AND segment IS NULL"""),
        ("bad_error_code", f"""SELECT line_number, 'error_code ' || error_code || ': expected '
                               || $code_help FROM {ROWS}
                               WHERE error_code IS NOT NULL
                               AND NOT regexp_full_match(error_code, $code_pattern)"""),
        ("unknown_account", f"""SELECT line_number, 'record_key ' || record_key || ' is not an account '
                                || $file FROM {ROWS} WHERE record_key IS NOT NULL AND account_id IS NULL"""),
        ("duplicate_rejection", f"""SELECT line_number, 'record ' || record_key || ', field ' || field
                                    || ', code ' || error_code || ' already on line ' || first_line FROM (
                                    SELECT *, min(line_number) OVER (PARTITION BY record_key, field, error_code)
                                    AS first_line FROM {ROWS} WHERE record_key IS NOT NULL)
                                    WHERE line_number > first_line"""),
    ], {"file": f"{header.submitted_file} contained", "code_help": header.bureau.code_help,
        "code_pattern": header.bureau.code_pattern})  # fmt: skip
    (rows,) = con.execute(f"SELECT count(*) FROM {ROWS}").fetchone()
    if rows != header.records_rejected:
        found.append(Finding(1, "rejected_count", f"records_rejected {header.records_rejected} but the file "
                                                  f"has {rows} rejection lines"))  # fmt: skip
    if found:
        raise FeedbackRejected(path, found)
    return int(rows)
