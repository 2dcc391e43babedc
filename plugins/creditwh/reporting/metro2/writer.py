"""Write a Metro 2 426-character file from a DuckDB relation, set-based (no Python loop per account).

Input: `base` is a table/view name or a SELECT with ONE ROW PER ACCOUNT and columns named after the Base
Segment fields of `spec.BASE` (snake_case). Types are coerced, so VARCHAR/INTEGER/DECIMAL/DATE inputs work.

  required  identification_number VARCHAR, consumer_account_number VARCHAR, portfolio_type VARCHAR,
            account_type VARCHAR, date_opened DATE, terms_duration VARCHAR ('REV', 'LOC', '001' or a
            number of months/years), account_status VARCHAR, payment_history_profile VARCHAR (most recent
            first; shorter values are B-filled to 24), date_account_information DATE, surname VARCHAR,
            first_name VARCHAR, ecoa_code VARCHAR, first_line_address VARCHAR, city VARCHAR, state VARCHAR,
            zip_code VARCHAR
  optional  time_stamp TIMESTAMP (default: header.date_created 00:00:00), correction_indicator INTEGER 0/1,
            cycle_identifier, terms_frequency, payment_rating, special_comment, compliance_condition_code,
            interest_type_indicator, middle_name, generation_code, consumer_information_indicator,
            country_code, second_line_address, address_indicator, residence_code (VARCHAR);
            credit_limit, highest_credit, scheduled_monthly_payment_amount, actual_payment_amount,
            current_balance, amount_past_due, original_charge_off_amount (money: DECIMAL/INTEGER/DOUBLE);
            date_first_delinquency, date_closed, date_last_payment, date_birth (DATE, NULL = none);
            social_security_number, telephone_number (VARCHAR or integer).
            A missing optional column is written blank / zero-filled.

`j1` (optional) is a relation with one row per associated consumer: consumer_account_number, ordinal
(INTEGER, order within the account), surname, first_name, ecoa_code (required) and optionally middle_name,
generation_code, social_security_number, date_birth, telephone_number, consumer_information_indicator.
J1 rows whose account is not in `base` are dropped and counted in the result.

Formatting (docs/metro2.md §1.1), applied in SQL:
* alphanumeric: accents stripped, upper-cased, characters outside A-Z 0-9 blank - / . , # & replaced by a
  blank (name fields: only A-Z, blank and hyphen kept, others removed), trimmed, truncated to the field,
  blank-filled on the right;
* numeric: digits only, right-justified, zero-filled; longer values keep their rightmost digits. SSN and
  phone given as text with fewer digits than the field are zero-filled entirely (a partial SSN is worse than
  none); integer-typed values are left-padded (leading zeros lost in the integer);
* money: whole units, cents truncated, negative (credit) balances as 0, capped at 999999999;
* dates MMDDYYYY, time stamp MMDDYYYYHHMMSS, NULL -> zero-filled;
* terms_duration: numeric values zero-padded to 3 (36 -> 036), else alphanumeric.

File layout: header, data records ordered by identification_number, consumer_account_number (as written),
trailer. Every physical record is on its own line ("\n", none after the last record) and framed as in moov's
variable-length test file (docs/metro2.md section 1.1): by default the header and every data record are
preceded by a 4-digit Block Descriptor Word (= record length + 4; the CRRG asks for a BDW with variable-length
records, and a record grows by 100 per J1), the trailer is not - it starts with its RDW, which is where
independent readers look for it (with a BDW they read its identifier as '0426TRA' and reject the file).
RDW = 426 + 100 x J1 count. Trailer totals are recomputed in SQL from the generated lines. The file is
written with COPY (CSV, no quote, no escape: raw lines) to a temp file in the target directory, the final
newline is cut, and the file is renamed into place.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

import duckdb

from creditwh.checksums import sha256_file
from creditwh.reporting.metro2.spec import (
    ALLOWED_CHARS_REGEX,
    ALLOWED_NAME_CHARS_REGEX,
    BASE,
    HEADER,
    HEADER_IDENTIFIER,
    J1,
    NAME_FIELDS,
    PAYMENT_HISTORY_LENGTH,
    RECORD_LENGTH,
    TRAILER,
    TRAILER_IDENTIFIER,
    TRAILER_TOTALS,
    Field,
    Layout,
)
from creditwh.reporting.metro2.totals import trailer_totals_sql

log = logging.getLogger(__name__)

MAX_J1_PER_RECORD = (9999 - RECORD_LENGTH) // J1.length  # RDW is four digits
_COMPUTED_BASE_FIELDS = {"record_descriptor_word", "processing_indicator"}
BASE_REQUIRED_COLUMNS = tuple(
    f.name for f in BASE.fields if f.requirement == "required" and f.name not in _COMPUTED_BASE_FIELDS
)
BASE_INPUT_COLUMNS = tuple(
    f.name for f in BASE.fields if not f.is_filler and f.name not in _COMPUTED_BASE_FIELDS
)
J1_REQUIRED_COLUMNS = ("consumer_account_number", "ordinal", "surname", "first_name", "ecoa_code")
J1_INPUT_COLUMNS = tuple(f.name for f in J1.fields if not f.is_filler and f.name != "segment_identifier")
_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}


@dataclass(frozen=True)
class Metro2Header:
    """Header record values. `date_created` must be the run's as-of date (never the wall clock)."""

    reporter_name: str
    reporter_address: str
    activity_date: date
    date_created: date
    reporter_telephone_number: str | None = None
    cycle_identifier: str = ""
    innovis_program_identifier: str = ""
    equifax_program_identifier: str = ""
    experian_program_identifier: str = ""
    trans_union_program_identifier: str = ""
    program_date: date | None = None
    program_revision_date: date | None = None
    software_vendor_name: str = ""
    software_version_number: str = ""
    prbc_program_identifier: str = ""


@dataclass(frozen=True)
class Metro2WriteResult:
    path: Path
    data_records: int  # base segments (accounts)
    j1_segments: int
    physical_records: int  # header + data records + trailer
    byte_size: int
    sha256: str
    trailer: dict[str, int]  # the trailer totals as written
    j1_orphans: int = 0  # J1 rows dropped because their account is not in `base`


# ---------------------------------------------------------------- SQL formatting of one field


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def alnum_sql(expr: str, length: int, *, name_field: bool = False) -> str:
    # Fast path: a value that is already clean (the vast majority) only needs upper() and padding; the
    # regexp_replace cleaning (~10x dearer in DuckDB) runs for the others only.
    disallowed = ALLOWED_NAME_CHARS_REGEX if name_field else ALLOWED_CHARS_REGEX
    allowed = disallowed.replace("[^", "[", 1)
    allowed_no_blank = allowed.replace(" ", "", 1)
    upper = f"upper(coalesce(CAST({expr} AS VARCHAR), ''))"
    cleaned = (
        f"regexp_replace(upper(strip_accents(coalesce(CAST({expr} AS VARCHAR), ''))), '{disallowed}', "
        f"'{'' if name_field else ' '}', 'g')"
    )
    pad = " " * length
    return (
        f"left(CASE WHEN regexp_full_match({upper}, '({allowed_no_blank}{allowed}*)?') THEN {upper} "
        f"ELSE trim({cleaned}) END || '{pad}', {length})"
    )


def digits_sql(expr: str, length: int, *, integer_typed: bool = False, all_or_nothing: bool = False) -> str:
    zeros = "0" * length
    if integer_typed:
        return f"lpad(right(CAST(greatest(coalesce({expr}, 0), 0) AS VARCHAR), {length}), {length}, '0')"
    text = f"coalesce(CAST({expr} AS VARCHAR), '')"
    digits = f"regexp_replace({text}, '[^0-9]', '', 'g')"
    if all_or_nothing:
        slow = f"CASE WHEN length({digits}) >= {length} THEN right({digits}, {length}) ELSE '{zeros}' END"
    else:
        slow = f"lpad(right({digits}, {length}), {length}, '0')"
    return f"CASE WHEN regexp_full_match({text}, '[0-9]{{{length}}}') THEN {text} ELSE {slow} END"


def money_sql(expr: str, length: int) -> str:
    cap = "9" * length
    whole = f"floor(CAST(coalesce({expr}, 0) AS DECIMAL(38, 6)))"
    return f"lpad(CAST(CAST(least(greatest({whole}, 0), {cap}) AS BIGINT) AS VARCHAR), {length}, '0')"


def date_sql(expr: str) -> str:
    return f"coalesce(strftime(CAST({expr} AS DATE), '%m%d%Y'), '00000000')"


def timestamp_sql(expr: str) -> str:
    return f"coalesce(strftime(CAST({expr} AS TIMESTAMP), '%m%d%Y%H%M%S'), '{'0' * 14}')"


def field_sql(field: Field, expr: str | None, column_type: str | None = None) -> str:
    """SQL producing exactly `field.length` characters for `field` from the input expression (None =
    absent)."""
    if field.is_filler:
        return f"'{' ' * field.length}'"
    src = expr if expr is not None else "NULL"
    if field.name == "payment_history_profile":
        raw = f"upper(coalesce(CAST({src} AS VARCHAR), ''))"
        php = (
            f"CASE WHEN regexp_full_match({raw}, '[0-9A-Z]*') THEN {raw} "
            f"ELSE regexp_replace({raw}, '[^0-9A-Z]', '', 'g') END"
        )
        return f"left({php} || '{'B' * PAYMENT_HISTORY_LENGTH}', {PAYMENT_HISTORY_LENGTH})"
    if field.name == "terms_duration":
        raw = f"trim(coalesce(CAST({src} AS VARCHAR), ''))"
        return (
            f"CASE WHEN regexp_full_match({raw}, '[0-9]+') THEN lpad(right({raw}, {field.length}), "
            f"{field.length}, '0') ELSE {alnum_sql(src, field.length)} END"
        )
    if field.kind == "A":
        return alnum_sql(src, field.length, name_field=field.name in NAME_FIELDS)
    if field.kind == "M":
        return money_sql(src, field.length)
    if field.kind == "D":
        return date_sql(src)
    if field.kind == "T":
        return timestamp_sql(src)
    integer_typed = (column_type or "").upper() in _INTEGER_TYPES
    return digits_sql(
        src,
        field.length,
        integer_typed=integer_typed,
        all_or_nothing=field.name in ("social_security_number", "telephone_number"),
    )


def layout_sql(layout: Layout, columns: dict[str, str], overrides: dict[str, str], skip: set[str]) -> str:
    """Concatenate the formatted fields of `layout` (minus `skip`); `columns` maps available input columns to
    their DuckDB types, `overrides` gives literal SQL for computed fields."""
    parts = []
    for f in layout.fields:
        if f.name in skip:
            continue
        if f.name in overrides:
            parts.append(overrides[f.name])
        else:
            present = f.name in columns
            parts.append(field_sql(f, f'"{f.name}"' if present else None, columns.get(f.name)))
    return " || ".join(parts)


# ---------------------------------------------------------------- writer


def _relation(rel: str) -> str:
    rel = rel.strip()
    return rel if re.fullmatch(r'[\w."]+', rel) else f"({rel})"


def _columns(con: duckdb.DuckDBPyConnection, rel: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()}


def _require(columns: dict[str, str], required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValueError(f"metro2 writer: {what} relation lacks required column(s) {', '.join(missing)}")


def _header_line_sql(header: Metro2Header) -> tuple[str, list[object]]:
    values = {f.name: getattr(header, f.name) for f in fields(header)}
    columns = {name: "VARCHAR" for name in values}
    select = ", ".join(
        f"CAST(? AS {'DATE' if isinstance(v, date) else 'VARCHAR'}) AS {name}" for name, v in values.items()
    )
    overrides = {
        "record_descriptor_word": f"'{RECORD_LENGTH:04d}'",
        "record_identifier": f"'{HEADER_IDENTIFIER}'",
    }
    line = layout_sql(HEADER, columns, overrides, skip=set())
    return f"SELECT {line} AS rec FROM (SELECT {select})", list(values.values())


def _trailer_line_sql(totals_rel: str) -> str:
    overrides = {
        "record_descriptor_word": f"'{RECORD_LENGTH:04d}'",
        "record_identifier": f"'{TRAILER_IDENTIFIER}'",
    }
    parts = []
    for f in TRAILER.fields:
        if f.name in overrides:
            parts.append(overrides[f.name])
        elif f.is_filler:
            parts.append(f"'{' ' * f.length}'")
        else:
            parts.append(f"lpad(CAST({f.name} AS VARCHAR), {f.length}, '0')")
    return f"SELECT {' || '.join(parts)} AS rec FROM {totals_rel}"


def write_metro2(
    con: duckdb.DuckDBPyConnection,
    base: str,
    j1: str | None,
    header: Metro2Header,
    out_path: Path,
    *,
    block_descriptor_words: bool = True,
) -> Metro2WriteResult:
    """Write header + one data record per `base` row (+ its J1 segments) + trailer to `out_path`
    atomically."""
    out_path = Path(out_path)
    base_rel = _relation(base)
    base_cols = _columns(con, base_rel)
    _require(base_cols, BASE_REQUIRED_COLUMNS, "base")
    tag = f"_metro2_w_{uuid.uuid4().hex[:12]}"  # temp names private to this call
    t_base, t_j1, t_rec, t_tot = (f"{tag}_{s}" for s in ("base", "j1", "records", "totals"))
    prior_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    tmp_path = out_path.with_name(f".{out_path.name}.{tag}.tmp")
    try:
        con.execute("SET preserve_insertion_order = true")  # COPY must keep the ORDER BY
        time_stamp = None if "time_stamp" in base_cols else (f"'{header.date_created:%m%d%Y}000000'")
        overrides = {"processing_indicator": "'1'"}
        if time_stamp:
            overrides["time_stamp"] = time_stamp
        body = layout_sql(BASE, base_cols, overrides, skip={"record_descriptor_word"})
        ident = field_sql(BASE.field("identification_number"), '"identification_number"')
        acct = field_sql(BASE.field("consumer_account_number"), '"consumer_account_number"')
        con.execute(f"""CREATE TEMP TABLE {t_base} AS
            SELECT {ident} AS ident, {acct} AS acct, {body} AS body FROM {base_rel}""")
        dupes = con.execute(f"""SELECT count(*), min(acct) FROM (
            SELECT ident, acct FROM {t_base} GROUP BY ALL HAVING count(*) > 1)""").fetchone()
        if dupes[0]:
            raise ValueError(
                f"metro2 writer: {dupes[0]} duplicate (identification_number, "
                f"consumer_account_number) pairs in base, e.g. account {dupes[1].strip()!r}"
            )

        j1_orphans = 0
        if j1 is not None:
            j1_rel = _relation(j1)
            j1_cols = _columns(con, j1_rel)
            _require(j1_cols, J1_REQUIRED_COLUMNS, "j1")
            segment = layout_sql(J1, j1_cols, {"segment_identifier": "'J1'"}, skip=set())
            con.execute(f"""CREATE TEMP TABLE {t_j1} AS
                SELECT acct, string_agg(segment, '' ORDER BY ordinal, segment) AS segments, count(*) AS n
                FROM (SELECT {acct} AS acct, "ordinal" AS ordinal, {segment} AS segment FROM {j1_rel})
                GROUP BY acct""")
            j1_orphans = con.execute(f"""SELECT coalesce(sum(n), 0) FROM {t_j1}
                WHERE acct NOT IN (SELECT acct FROM {t_base})""").fetchone()[0]
            if j1_orphans:
                log.warning("metro2 writer: %d J1 rows have no base account and are dropped", j1_orphans)
            too_many = con.execute(f"SELECT count(*) FROM {t_j1} WHERE n > {MAX_J1_PER_RECORD}").fetchone()[0]
            if too_many:
                raise ValueError(
                    f"metro2 writer: {too_many} accounts have more than {MAX_J1_PER_RECORD} J1 "
                    "segments (the RDW has four digits)"
                )
            joined = f"{t_base} b LEFT JOIN {t_j1} j USING (acct)"
            segs, n_j1 = "coalesce(j.segments, '')", "coalesce(j.n, 0)"
        else:
            joined, segs, n_j1 = f"{t_base} b", "''", "0"

        con.execute(f"""CREATE TEMP TABLE {t_rec} AS
            SELECT row_number() OVER (ORDER BY b.ident, b.acct) AS seq, {n_j1} AS n_j1,
                   lpad(CAST({RECORD_LENGTH} + {J1.length} * {n_j1} AS VARCHAR), 4, '0')
                       || b.body || {segs} AS rec
            FROM {joined}""")

        con.execute(f"DROP TABLE {t_base}")  # the records table holds everything from here on
        if j1 is not None:
            con.execute(f"DROP TABLE {t_j1}")

        # Trailer totals from the generated lines, with the same SQL the validator uses.
        base_view = ", ".join(
            f"{BASE.field(n).sql('rec')} AS {n}"
            for n in (
                "account_status",
                "ecoa_code",
                "social_security_number",
                "date_birth",
                "telephone_number",
            )
        )
        seg_view = f"""(SELECT substr(rec, {RECORD_LENGTH + 1} + {J1.length} * k, 2) AS segment_identifier,
                               substr(rec, {RECORD_LENGTH + 1} + {J1.length} * k, {J1.length}) AS segment
                        FROM (SELECT rec, unnest(range(n_j1)) AS k FROM {t_rec} WHERE n_j1 > 0))"""
        con.execute(
            f"CREATE TEMP TABLE {t_tot} AS "
            + trailer_totals_sql(f"(SELECT {base_view} FROM {t_rec})", seg_view)
        )
        totals_row = con.execute(f"SELECT * FROM {t_tot}").fetchone()
        trailer = dict(zip(TRAILER_TOTALS, (int(v) for v in totals_row), strict=True))

        header_sql, header_params = _header_line_sql(header)
        header_rec = con.execute(header_sql, header_params).fetchone()[0]
        trailer_seq = trailer["total_base_records"] + 1
        # header and data records carry a BDW, the trailer never does (moov's variable-length framing)
        bdw = (
            f"CASE WHEN seq < {trailer_seq} THEN lpad(CAST(length(rec) + 4 AS VARCHAR), 4, '0') || rec "
            "ELSE rec END"
            if block_descriptor_words
            else "rec"
        )
        lines = f"""
            SELECT 0 AS seq, {_sql_str(header_rec)} AS rec
            UNION ALL SELECT seq, rec FROM {t_rec}
            UNION ALL SELECT {trailer_seq}, rec FROM ({_trailer_line_sql(t_tot)})"""
        tmp_sql = str(tmp_path).replace("'", "''")
        con.execute(f"""COPY (SELECT {bdw} AS line FROM ({lines}) ORDER BY seq)
                        TO '{tmp_sql}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '')""")
        _drop_final_newline(tmp_path)
        digest, size = sha256_file(tmp_path)
        os.replace(tmp_path, out_path)
        j1_total = trailer["total_consumer_segments_j1"]
        return Metro2WriteResult(
            path=out_path,
            data_records=trailer["total_base_records"],
            j1_segments=j1_total,
            physical_records=trailer["block_count"],
            byte_size=size,
            sha256=digest,
            trailer=trailer,
            j1_orphans=int(j1_orphans),
        )
    finally:
        for t in (t_base, t_j1, t_rec, t_tot):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        con.execute(f"SET preserve_insertion_order = {'true' if prior_order else 'false'}")
        tmp_path.unlink(missing_ok=True)


def _drop_final_newline(path: Path) -> None:
    """COPY ends every row with a newline; moov's files have none after the trailer."""
    with open(path, "r+b") as fh:
        fh.seek(0, os.SEEK_END)
        end = fh.tell()
        fh.seek(end - 1)
        if fh.read(1) != b"\n":
            raise RuntimeError(f"metro2 writer: {path} does not end with the expected newline")
        fh.truncate(end - 1)
        fh.flush()
        os.fsync(fh.fileno())
