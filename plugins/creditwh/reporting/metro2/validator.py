"""Last gate before a Metro 2 file is published: structure, field, code-list, cross-field, trailer and
period-over-period checks, all set-based in DuckDB so a million-record file validates in seconds.

The file is read as lines (or, for an undelimited file, cut by RDW in Python), each line is split into BDW
and record with the rule of `layout.py`, and every field is a `substr` at the positions of `spec.py`. Checks
are SQL filters that insert findings; the report keeps every count but only the first `SAMPLES_PER_RULE`
findings of each (rule, field). Record numbers are physical line numbers (1 = header).

Rules (severity error unless noted):
  structure    record_order (header first, trailer last), record_length, rdw, bdw, trailer_bdw (the
               trailer starts with its RDW, never a BDW: moov's variable-length framing, docs/metro2.md
               section 1.1), bdw_missing (warning: a header/data record without the BDW the others carry),
               segment (unparseable appended data), segment_order, segment_repeat (L1 more than once)
  fields       numeric, date, timestamp, required, code_list,
               charset (warning: characters outside the Metro 2 set)
  cross-field  payment_rating (required exactly for 05/13/65/88/89/94/95), php_embedded_b,
               dofd_required (71-84, 97), dofd_current (must be zero for 11), dofd_after_doai,
               addl_apd_1 (delinquent with amount past due 0), apd_current (11 with amount past due),
               addl_doai_1 (warning: paid status, DOAI != date of last payment)
  trailer      trailer_total (every count recomputed from the records)
  previous     prog_status_1 (a delinquent account skips more buckets than the days since the last
               period allow, e.g. 71 -> 80 over 30 days; 78 -> 82 over a 31-day month is real),
               prog_dofd_1 (delinquent in both periods but DOFD changed),
               9_4A (PHP first character != the previous period's status character)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from creditwh.errors import PipelineError
from creditwh.reporting.metro2.layout import bdw_width_sql, split_physical_records
from creditwh.reporting.metro2.spec import (
    ACCOUNT_STATUS,
    ADDRESS_INDICATORS,
    ALLOWED_CHARS_REGEX,
    BASE,
    COMPLIANCE_CONDITION_CODES,
    CONSUMER_INFORMATION_INDICATORS,
    DELINQUENCY_RANK,
    ECOA_CODES,
    HEADER,
    HEADER_IDENTIFIER,
    INTEREST_TYPE_INDICATORS,
    PAYMENT_HISTORY_CHARS,
    PAYMENT_HISTORY_LENGTH,
    PAYMENT_RATING,
    PORTFOLIO_TYPES,
    RECORD_LENGTH,
    RESIDENCE_CODES,
    SEGMENT_ORDER,
    SEGMENTS,
    STATUS_TO_PHP_CHAR,
    STATUSES_DELINQUENT,
    STATUSES_PAID,
    STATUSES_REQUIRING_DOFD,
    STATUSES_REQUIRING_PAST_DUE,
    STATUSES_REQUIRING_RATING,
    TERMS_FREQUENCIES,
    TRAILER,
    TRAILER_IDENTIFIER,
    TRAILER_TOTALS,
    Layout,
)
from creditwh.reporting.metro2.totals import trailer_totals_sql

SAMPLES_PER_RULE = 20
ERROR, WARNING = "error", "warning"
_SNIFF_BYTES = (
    10_100  # longer than any record (RDW <= 9999) plus a BDW: a delimited file has a newline in here
)


@dataclass(frozen=True)
class Metro2Finding:
    record_number: int | None  # physical record in the file, 1 = header
    account_number: str | None
    field: str
    rule: str
    severity: str
    detail: str

    def __str__(self) -> str:
        if self.record_number is None:  # a finding about an account absent from the file
            where = f"account {self.account_number}" if self.account_number else "file"
        else:
            acct = f" (account {self.account_number})" if self.account_number else ""
            where = f"record {self.record_number}{acct}"
        return f"{where}, field {self.field}, rule {self.rule} [{self.severity}]: {self.detail}"


class Metro2ValidationError(PipelineError):
    """A Metro 2 file failed validation; `report` holds every finding."""

    def __init__(self, report: Metro2Report):
        self.report = report
        first = next(f for f in report.findings if f.severity == ERROR)
        by_rule = ", ".join(f"{rule}={n}" for rule, n in sorted(report.error_counts_by_rule().items()))
        super().__init__(
            f"{report.path}: Metro 2 validation failed with {report.error_count} error(s) "
            f"({by_rule}); first: {first}"
        )


@dataclass
class Metro2Report:
    path: Path
    previous_path: Path | None
    data_records: int
    findings: list[Metro2Finding]  # samples: at most SAMPLES_PER_RULE per (rule, field)
    counts: dict[tuple[str, str, str], int]  # (rule, field, severity) -> number of findings
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return sum(n for (_, _, sev), n in self.counts.items() if sev == ERROR)

    @property
    def warning_count(self) -> int:
        return sum(n for (_, _, sev), n in self.counts.items() if sev == WARNING)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error_counts_by_rule(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (rule, _, sev), n in self.counts.items():
            if sev == ERROR:
                out[rule] = out.get(rule, 0) + n
        return out

    def rules(self, severity: str | None = None) -> set[str]:
        return {rule for (rule, _, sev) in self.counts if severity is None or sev == severity}

    def raise_for_errors(self) -> None:
        if not self.ok:
            raise Metro2ValidationError(self)


# ---------------------------------------------------------------- SQL helpers


def _in_list(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) + ")"


def _digits(col: str, n: int | None = None) -> str:
    return f"regexp_full_match({col}, '[0-9]{{{n}}}')" if n else f"regexp_full_match({col}, '[0-9]+')"


def _valid_date(col: str) -> str:
    return f"({col} = '00000000' OR ({_digits(col, 8)} AND try_strptime({col}, '%m%d%Y') IS NOT NULL))"


def _valid_timestamp(col: str) -> str:
    return (
        f"({col} = '{'0' * 14}' OR ({_digits(col, 14)} AND try_strptime({col}, '%m%d%Y%H%M%S') IS NOT NULL))"
    )


def _money(col: str) -> str:
    return f"coalesce(try_cast({col} AS BIGINT), 0)"


def load_records(
    con: duckdb.DuckDBPyConnection, path: Path, prefix: str, *, temp: bool = False, columns: str | None = None
) -> str:
    """Create table `{prefix}_records(record_number, line_length, bdw, rec, kind)` in `con` from the file at
    `path` (kind header / base / trailer, `rec` without its BDW); returns the table's name. `columns`, a
    select list over `rec`, replaces `bdw, rec` (the whole lines are then never stored). Record numbers
    follow the file's line order only with `preserve_insertion_order` set (the validator's connection)."""
    create = "CREATE TEMP TABLE" if temp else "CREATE TABLE"
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    lines_table = None
    if b"\n" in head:
        p = str(path).replace("'", "''")
        # record_number = physical line number (what an operator opens the file at); blank lines are skipped
        lines = f"""(SELECT * FROM (
                SELECT row_number() OVER () AS record_number,
                       CASE WHEN suffix(line, chr(13)) THEN left(line, -1) ELSE line END AS line
                FROM read_csv('{p}', columns = {{'line': 'VARCHAR'}}, header = false, auto_detect = false,
                              delim = chr(31), quote = '', escape = '', strict_mode = false))
            WHERE line IS NOT NULL AND line <> '')"""
    else:  # undelimited (fixed-block) file: cut by RDW in Python; not the layout large extracts use
        text = Path(path).read_bytes().decode("ascii", errors="replace")
        physical = split_physical_records(text)
        lines = lines_table = f"{prefix}_lines"
        con.execute(
            f"""{create} {lines} AS
            SELECT i + 1 AS record_number, CAST(? AS VARCHAR[])[i + 1] AS line
            FROM range({len(physical)}) t(i)""",
            [physical],
        )
    records = f"{prefix}_records"
    con.execute(f"""{create} {records} AS
        SELECT record_number, line_length, {columns or "bdw, rec"},
               CASE WHEN substr(rec, 5, 6) = '{HEADER_IDENTIFIER}' THEN 'header'
                    WHEN substr(rec, 5, 7) = '{TRAILER_IDENTIFIER}' THEN 'trailer'
                    ELSE 'base' END AS kind
        FROM (SELECT record_number, length(line) AS line_length,
                     CASE WHEN w = 4 THEN substr(line, 1, 4) END AS bdw, substr(line, w + 1) AS rec
              FROM (SELECT *, {bdw_width_sql("line")} AS w FROM {lines}))""")
    if lines_table:
        con.execute(f"DROP TABLE {lines_table}")
    return records


class _Run:
    """One validation: owns a private in-memory DuckDB connection and the findings table."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.con.execute("SET enable_progress_bar = false")
        self.con.execute("SET preserve_insertion_order = true")
        self.pending: list[str] = []
        self.con.execute("""CREATE TABLE findings (
                                record_number BIGINT, account_number VARCHAR, field VARCHAR,
                            rule VARCHAR, severity VARCHAR, detail VARCHAR)""")

    def add(self, select_sql: str) -> None:
        """`select_sql` yields (record_number, account_number, field, rule, severity, detail). Checks are run
        together by `flush` as one UNION ALL: one statement instead of ~100 keeps small files fast."""
        self.pending.append(select_sql)

    def flush(self) -> None:
        if self.pending:
            self.con.execute("INSERT INTO findings " + "\nUNION ALL\n".join(f"({q})" for q in self.pending))
            self.pending.clear()

    def check(
        self,
        table: str,
        condition: str,
        field_name: str,
        rule: str,
        detail_sql: str,
        severity: str = ERROR,
        account: str = "trim(consumer_account_number)",
    ) -> None:
        self.add(f"""SELECT record_number, {account}, '{field_name}', '{rule}', '{severity}', {detail_sql}
                     FROM {table} WHERE {condition}""")

    # ------------------------------------------------------------ loading

    def load_records(self, path: Path, prefix: str) -> str:
        """Create `{prefix}_records(record_number, line_length, bdw, rec, kind)`; returns its name."""
        return load_records(self.con, path, prefix)

    def extract(self, records: str, kind: str, layout: Layout, table: str) -> None:
        cols = ", ".join(f"{f.sql('rec')} AS {f.name}" for f in layout.fields if not f.is_filler)
        self.con.execute(
            f"CREATE TABLE {table} AS SELECT record_number, {cols} FROM {records} WHERE kind = '{kind}'"
        )

    def parse_segments(self, records: str, table: str) -> None:
        """Walk the appended-segment chain of every base record with a recursive CTE (one step per
        segment)."""
        ids = _in_list(SEGMENTS)
        acct = BASE.field("consumer_account_number").sql("r.rec")
        seg_len = (
            "CASE substr(r.rec, c.pos, 2) "
            + " ".join(f"WHEN '{name}' THEN {s.length}" for name, s in SEGMENTS.items())
            + " END"
        )
        self.con.execute(f"""CREATE TABLE {table} AS
            WITH RECURSIVE chain(record_number, pos, ord) AS (
                SELECT record_number, {RECORD_LENGTH + 1}, 0 FROM {records}
                WHERE kind = 'base' AND length(rec) > {RECORD_LENGTH}
                UNION ALL
                SELECT c.record_number, c.pos + {seg_len}, c.ord + 1
                FROM chain c JOIN {records} r USING (record_number)
                WHERE substr(r.rec, c.pos, 2) IN {ids} AND c.pos + {seg_len} - 1 <= length(r.rec)
            )
            SELECT c.record_number, c.pos, c.ord, substr(r.rec, c.pos, 2) AS segment_identifier,
                   substr(r.rec, c.pos, coalesce({seg_len}, 0)) AS segment,
                   substr(r.rec, c.pos, 2) IN {ids} AND c.pos + {seg_len} - 1 <= length(r.rec) AS parsed,
                   substr(r.rec, c.pos) AS remainder, trim({acct}) AS account_number
            FROM chain c JOIN {records} r USING (record_number)""")

    # ------------------------------------------------------------ generic field checks

    def field_checks(self, table: str, layout: Layout, account: str, where: str = "true") -> None:
        for f in layout.fields:
            if f.is_filler or f.name == "record_descriptor_word":
                continue
            n = f.name
            value = f"'value ' || chr(39) || {n} || chr(39)"
            if f.kind in ("N", "M"):
                self.check(table, f"({where}) AND NOT {_digits(n)}", n, "numeric", value, account=account)
            elif f.kind == "D":
                self.check(table, f"({where}) AND NOT {_valid_date(n)}", n, "date", value, account=account)
            elif f.kind == "T":
                self.check(
                    table, f"({where}) AND NOT {_valid_timestamp(n)}", n, "timestamp", value, account=account
                )
            if f.requirement == "required":
                missing = (
                    f"regexp_full_match({n}, '0*')" if f.kind in ("N", "M", "D", "T") else f"trim({n}) = ''"
                )
                self.check(
                    table,
                    f"({where}) AND {missing}",
                    n,
                    "required",
                    "'required field is blank or zero'",
                    account=account,
                )

    def code_list(
        self,
        table: str,
        column: str,
        codes,
        label: str,
        account: str,
        blank_ok: bool = True,
        where: str = "true",
    ) -> None:
        allowed = set(codes) | ({""} if blank_ok else set())
        self.check(
            table,
            f"({where}) AND trim({column}) NOT IN {_in_list(allowed)}",
            column,
            "code_list",
            f"'value ' || chr(39) || {column} || chr(39) || ' is not a valid {label}'",
            account=account,
        )


# ---------------------------------------------------------------- the checks


def _structure_checks(run: _Run, records: str) -> None:
    run.add(f"""SELECT record_number, NULL, 'record_identifier', 'record_order', 'error',
                       'HEADER record is not the first record' FROM {records}
                WHERE kind = 'header' AND record_number <> (SELECT min(record_number) FROM {records})
                UNION ALL
                SELECT (SELECT min(record_number) FROM {records}), NULL, 'record_identifier', 'record_order',
                       'error', 'first record is not a HEADER'
                WHERE NOT EXISTS (SELECT 1 FROM {records} WHERE kind = 'header'
                                  AND record_number = (SELECT min(record_number) FROM {records}))
                UNION ALL
                SELECT record_number, NULL, 'record_identifier', 'record_order', 'error',
                       'TRAILER record is not the last record' FROM {records}
                WHERE kind = 'trailer' AND record_number <> (SELECT max(record_number) FROM {records})
                UNION ALL
                SELECT (SELECT max(record_number) FROM {records}), NULL, 'record_identifier', 'record_order',
                       'error', 'last record is not a TRAILER'
                WHERE NOT EXISTS (SELECT 1 FROM {records} WHERE kind = 'trailer'
                                  AND record_number = (SELECT max(record_number) FROM {records}))""")
    acct = f"CASE WHEN kind = 'base' THEN trim({BASE.field('consumer_account_number').sql('rec')}) END"
    run.check(
        records,
        f"length(rec) < {RECORD_LENGTH}",
        "record",
        "record_length",
        f"'record is ' || length(rec) || ' characters, expected at least {RECORD_LENGTH}'",
        account=acct,
    )
    run.check(
        records,
        f"NOT {_digits('substr(rec, 1, 4)', 4)} OR CAST(substr(rec, 1, 4) AS INTEGER) <> length(rec)",
        "record_descriptor_word",
        "rdw",
        "'RDW ' || chr(39) || substr(rec, 1, 4) || chr(39) || ' but the record is ' || length(rec) "
        "|| ' characters'",
        account=acct,
    )
    run.check(
        records,
        f"bdw IS NOT NULL AND (NOT {_digits('bdw', 4)} OR CAST(bdw AS INTEGER) <> line_length)",
        "block_descriptor_word",
        "bdw",
        "'BDW ' || chr(39) || bdw || chr(39) || ' but the block is ' || line_length || ' characters'",
        account=acct,
    )
    run.check(
        records,
        "kind = 'trailer' AND bdw IS NOT NULL",
        "block_descriptor_word",
        "trailer_bdw",
        "'TRAILER record carries a Block Descriptor Word ' || chr(39) || bdw || chr(39) || ': the trailer must "
        "start with its RDW (independent readers then take ' || chr(39) || substr(bdw || rec, 5, 7) || chr(39) "
        "|| ' for its identifier and reject the file)'",
        account=acct,
    )
    run.check(
        records,
        f"kind <> 'trailer' AND bdw IS NULL AND EXISTS (SELECT 1 FROM {records} WHERE kind <> 'trailer' AND bdw "
        "IS NOT NULL)",
        "block_descriptor_word",
        "bdw_missing",
        "'no BDW although other records carry one'",
        severity=WARNING,
        account=acct,
    )
    run.check(
        records,
        f"regexp_matches(rec, '{ALLOWED_CHARS_REGEX}')",
        "record",
        "charset",
        "'characters outside A-Z 0-9 blank - / . , # &: ' || chr(39) || "
        "left(regexp_replace(rec, '[A-Z0-9 /.,#&-]', '', 'g'), 20) || chr(39)",
        severity=WARNING,
        account=acct,
    )


def _base_checks(run: _Run, base: str) -> None:
    acct = "trim(consumer_account_number)"
    run.field_checks(base, BASE, acct)
    run.code_list(base, "account_status", ACCOUNT_STATUS, "Account Status", acct, blank_ok=False)
    run.code_list(base, "payment_rating", PAYMENT_RATING, "Payment Rating", acct)
    run.code_list(base, "ecoa_code", ECOA_CODES, "ECOA code", acct, blank_ok=False)
    run.code_list(
        base,
        "consumer_information_indicator",
        CONSUMER_INFORMATION_INDICATORS,
        "Consumer Information Indicator",
        acct,
    )
    run.code_list(
        base, "compliance_condition_code", COMPLIANCE_CONDITION_CODES, "Compliance Condition Code", acct
    )
    run.code_list(base, "portfolio_type", PORTFOLIO_TYPES, "Portfolio Type", acct, blank_ok=False)
    run.code_list(base, "terms_frequency", TERMS_FREQUENCIES, "Terms Frequency", acct)
    run.code_list(base, "interest_type_indicator", INTEREST_TYPE_INDICATORS, "Interest Type Indicator", acct)
    run.code_list(base, "address_indicator", ADDRESS_INDICATORS, "Address Indicator", acct)
    run.code_list(base, "residence_code", RESIDENCE_CODES, "Residence Code", acct)
    run.code_list(base, "processing_indicator", {"1"}, "Processing Indicator", acct, blank_ok=False)
    run.code_list(base, "correction_indicator", {"0", "1"}, "Correction Indicator", acct, blank_ok=False)
    php_chars = "".join(sorted(PAYMENT_HISTORY_CHARS))
    run.check(
        base,
        f"NOT regexp_full_match(payment_history_profile, '[{php_chars}]{{{PAYMENT_HISTORY_LENGTH}}}')",
        "payment_history_profile",
        "code_list",
        f"'value ' || chr(39) || payment_history_profile || chr(39) || ' has characters outside {php_chars}'",
    )

    rated = _in_list(STATUSES_REQUIRING_RATING)
    run.check(
        base,
        f"account_status IN {rated} AND payment_rating = ' '",
        "payment_rating",
        "payment_rating",
        "'Payment Rating is required for status ' || account_status",
    )
    run.check(
        base,
        f"account_status NOT IN {rated} AND payment_rating <> ' '",
        "payment_rating",
        "payment_rating",
        "'Payment Rating must be blank for status ' || account_status || ', found ' || payment_rating",
    )
    run.check(
        base,
        "regexp_matches(payment_history_profile, 'B[^B]')",
        "payment_history_profile",
        "php_embedded_b",
        "'B embedded in ' || chr(39) || payment_history_profile || chr(39)",
    )

    dofd, doai = "date_first_delinquency", "date_account_information"
    run.check(
        base,
        f"account_status IN {_in_list(STATUSES_REQUIRING_DOFD)} AND {dofd} = '00000000'",
        dofd,
        "dofd_required",
        "'Date of First Delinquency is required for status ' || account_status",
    )
    run.check(
        base,
        f"account_status = '11' AND {dofd} <> '00000000'",
        dofd,
        "dofd_current",
        f"'status 11 (current) must have a zero-filled DOFD, found ' || {dofd}",
    )
    run.check(
        base,
        f"""{_valid_date(dofd)} AND {_valid_date(doai)} AND {dofd} <> '00000000'
                        AND try_strptime({dofd}, '%m%d%Y') > try_strptime({doai}, '%m%d%Y')""",
        dofd,
        "dofd_after_doai",
        f"'DOFD ' || {dofd} || ' is after the Date of Account Information ' || {doai}",
    )
    run.check(
        base,
        f"account_status IN {_in_list(STATUSES_REQUIRING_PAST_DUE)} AND {_money('amount_past_due')} = 0",
        "amount_past_due",
        "addl_apd_1",
        "'status ' || account_status || ' with Amount Past Due 0'",
    )
    run.check(
        base,
        f"account_status = '11' AND {_money('amount_past_due')} > 0",
        "amount_past_due",
        "apd_current",
        "'status 11 (current) with Amount Past Due ' || ltrim(amount_past_due, '0')",
    )
    run.check(
        base,
        f"account_status IN {_in_list(STATUSES_PAID)} AND {doai} <> date_last_payment",
        doai,
        "addl_doai_1",
        f"'paid status ' || account_status || ': DOAI ' || {doai} || ' differs from date of last payment ' "
        "|| date_last_payment",
        severity=WARNING,
    )


def _segment_checks(run: _Run, segments: str) -> None:
    acct = "account_number"
    run.add(f"""SELECT record_number, {acct}, 'segments', 'segment', 'error',
                       'unparseable data after the appended segments at position ' || pos || ': '
                       || chr(39) || left(remainder, 20) || chr(39)
                FROM {segments} s WHERE NOT parsed AND trim(remainder) <> ''""")
    order = (
        "CASE segment_identifier "
        + " ".join(f"WHEN '{k}' THEN {v}" for k, v in SEGMENT_ORDER.items())
        + " END"
    )
    run.add(f"""SELECT record_number, {acct}, 'segments', 'segment_order', 'error',
                       segment_identifier || ' segment after ' || prev_id
                FROM (SELECT *,
                             lag(segment_identifier) OVER by_record AS prev_id,
                             lag({order}) OVER by_record AS prev_rank,
                             {order} AS rank
                      FROM {segments} WHERE parsed
                      WINDOW by_record AS (PARTITION BY record_number ORDER BY ord)) s
                WHERE rank < prev_rank""")
    run.add(f"""SELECT record_number, {acct}, 'segments', 'segment_repeat', 'error',
                       count(*) || ' L1 segments (at most one allowed)'
                FROM {segments} s WHERE parsed AND segment_identifier = 'L1'
                GROUP BY record_number, account_number HAVING count(*) > 1""")
    for name, layout in SEGMENTS.items():
        table = f"seg_{name.lower()}"
        cols = ", ".join(f"{f.sql('segment')} AS {f.name}" for f in layout.fields if not f.is_filler)
        run.con.execute(f"""CREATE TABLE {table} AS SELECT s.record_number, s.account_number, {cols},
                                NOT regexp_full_match(substr(segment, 3), '[ 9]*') AS live
                            FROM {segments} s WHERE parsed AND segment_identifier = '{name}'""")
        run.field_checks(table, layout, acct, where="live")
        if name in ("J1", "J2"):
            run.code_list(table, "ecoa_code", ECOA_CODES, "ECOA code", acct, blank_ok=False, where="live")
            run.code_list(
                table,
                "consumer_information_indicator",
                CONSUMER_INFORMATION_INDICATORS,
                "Consumer Information Indicator",
                acct,
                where="live",
            )


def _header_trailer_checks(run: _Run, records: str, base: str, segments: str) -> dict[str, object]:
    run.extract(records, "header", HEADER, "header")
    run.field_checks("header", HEADER, "NULL")
    run.extract(records, "trailer", TRAILER, "trailer")
    run.field_checks("trailer", TRAILER, "NULL")
    trailers = run.con.execute("SELECT * FROM trailer").fetchall()
    expected_row = run.con.execute(
        trailer_totals_sql(base, f"(SELECT segment_identifier, segment FROM {segments} WHERE parsed)")
    ).fetchone()
    expected = dict(zip(TRAILER_TOTALS, (int(v) for v in expected_row), strict=True))
    if len(trailers) != 1:
        return {"recomputed_trailer": expected}
    names = ["record_number", *(f.name for f in TRAILER.fields if not f.is_filler)]
    found = dict(zip(names, trailers[0], strict=True))
    rows = []
    for name in TRAILER_TOTALS:
        raw = found[name]
        if raw.isdigit() and int(raw) != expected[name]:
            rows.append(
                f"SELECT {found['record_number']}, NULL, '{name}', 'trailer_total', 'error', "
                f"'trailer has {int(raw)}, the records give {expected[name]}'"
            )
    if rows:
        run.add(" UNION ALL ".join(rows))
    return {"recomputed_trailer": expected}


def _rank_sql(col: str) -> str:
    return (
        "CASE " + col + " " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in DELINQUENCY_RANK.items()) + " END"
    )


def _previous_period_checks(run: _Run, base: str, previous_path: Path) -> None:
    prev_records = run.load_records(previous_path, "prev")
    run.extract(prev_records, "base", BASE, "prev_base")
    # Days between the two Dates of Account Information: each bucket is 30 days wide, so a 31-day month
    # legitimately carries DPD 89 to 120 (78 -> 82). At most (29 + days) // 30 buckets can pass.
    elapsed = (
        "date_diff('day', try_strptime(p.date_account_information, '%m%d%Y'), "
        "try_strptime(c.date_account_information, '%m%d%Y'))"
    )
    joined = f"""(SELECT c.record_number, c.consumer_account_number, c.account_status,
                         c.date_first_delinquency, c.payment_history_profile,
                         p.account_status AS prev_status, p.date_first_delinquency AS prev_dofd,
                         coalesce(({elapsed} + 29) // 30, 1) AS max_buckets_passed
                  FROM {base} c JOIN prev_base p
                    ON c.identification_number = p.identification_number
                   AND c.consumer_account_number = p.consumer_account_number)"""
    run.con.execute(f"CREATE TABLE period_pairs AS SELECT * FROM {joined}")
    run.check(
        "period_pairs",
        f"{_rank_sql('prev_status')} >= 1"
        f" AND {_rank_sql('account_status')} > {_rank_sql('prev_status')} + greatest(max_buckets_passed, 1)",
        "account_status",
        "prog_status_1",
        "'status went from ' || prev_status || ' to ' || account_status "
        "|| ' in one period (skipped a bucket the days elapsed cannot explain)'",
    )
    delinquent = _in_list(STATUSES_DELINQUENT)
    run.check(
        "period_pairs",
        f"prev_status IN {delinquent} AND account_status IN {delinquent}"
        " AND date_first_delinquency <> prev_dofd",
        "date_first_delinquency",
        "prog_dofd_1",
        "'delinquent in both periods (' || prev_status || ' -> ' || account_status "
        "|| ') but DOFD moved from ' "
        "|| prev_dofd || ' to ' || date_first_delinquency",
    )
    expected_char = (
        "CASE prev_status "
        + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUS_TO_PHP_CHAR.items())
        + " END"
    )
    first = "substr(payment_history_profile, 1, 1)"
    run.check(
        "period_pairs",
        f"{expected_char} IS NOT NULL AND {first} <> {expected_char} "
        f"AND NOT (prev_status = '11' AND {first} = 'E')",
        "payment_history_profile",
        "9_4A",
        f"'previous status ' || prev_status || ' implies PHP first character ' || chr(39) || {expected_char} "
        f"|| chr(39) || ', found ' || chr(39) || {first} || chr(39)",
    )


def validate_metro2(path: Path | str, previous_path: Path | str | None = None) -> Metro2Report:
    """Validate the Metro 2 file at `path` (and its continuity with `previous_path`, the prior period's
    file)."""
    started = time.perf_counter()
    path = Path(path)
    previous = Path(previous_path) if previous_path is not None else None
    run = _Run()
    try:
        records = run.load_records(path, "cur")
        _structure_checks(run, records)
        run.extract(records, "base", BASE, "base")
        _base_checks(run, "base")
        run.parse_segments(records, "segments")
        _segment_checks(run, "segments")
        extra = _header_trailer_checks(run, records, "base", "segments")
        if previous is not None:
            _previous_period_checks(run, "base", previous)
        run.flush()
        data_records = run.con.execute("SELECT count(*) FROM base").fetchone()[0]
        counts = {
            (r, f, s): n
            for r, f, s, n in run.con.execute(
                "SELECT rule, field, severity, count(*) FROM findings GROUP BY ALL"
            ).fetchall()
        }
        samples = [
            Metro2Finding(*row)
            for row in run.con.execute(f"""
            SELECT * FROM findings
            QUALIFY row_number() OVER (PARTITION BY rule, field ORDER BY record_number) <= {SAMPLES_PER_RULE}
            ORDER BY severity, record_number, rule, field""").fetchall()
        ]
    finally:
        run.con.close()
    return Metro2Report(
        path=path,
        previous_path=previous,
        data_records=data_records,
        findings=samples,
        counts=counts,
        seconds=time.perf_counter() - started,
        extra=extra,
    )
