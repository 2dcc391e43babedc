"""Last gate before a PBOC message file is published: the document, its header, every record's structure,
elements, code sets, the public CRC rules and cross-field rules derived from them, and (for a period's
original file) continuity with the previous period's file. Set-based: DuckDB reads the lines, and one regex
pass proves a file laid out as the writer lays it out well-formed XML (every byte accounted for, every
record line built of known elements with plain character data); a file it cannot prove is parsed by expat,
whose refusal is the DOCUMENT finding. The elements are cut out by string positions into one narrow table
and each group of rules is counted in one scan, so the cost per record is constant. Findings name the
record (AcctCode), the element and the rule code; the report keeps every count and the first
SAMPLES_PER_RULE findings of each rule.

Rules (docs/pboc.md §4). Public CRC feedback rules (§3.7 of the public sources):
  I2100H04  账户状态 6 未激活 -> 余额 0, 当前还款状态 *, 当前逾期期数 0, 当前逾期总额 0
  I2100H05  当前还款状态 * -> 本月应还款金额 0, 当前逾期期数 0, 当前逾期总额 0, 本期账单余额 0
  I2100H07  (月度表现) 当前还款状态 N or M -> 当前逾期期数 0 and 当前逾期总额 0
  I2100J06  (非月度表现) the same
  I2100H09  当前还款状态 1-7 -> 当前逾期期数 > 0 and 当前逾期总额 > 0
  I2100H15  账户状态 4 销户 -> 当前逾期期数 0 and 当前逾期总额 0 (both segments)
  LNK_CLOSE 账户状态 3 / 4 (月度表现) and 4 (非月度表现) -> 账户关闭日期 present (PBCRS_1 InLinkage)
  DATE_ORDER 开户日期 <= 五级分类认定日期 <= 账户关闭日期, 开户日期 <= 账户关闭日期
Derived here:
  X_CLOSE_STATUS  a closing date only with 账户状态 3 / 4;   X_CLOSED_BALANCE  销户 with 余额 0
  X_STATUS_PAIR   B <-> 呆账 (5); C / G only with 销户 (4)
  X_BANDS_SUM     逾期31-60 + 61-90 + 91-180 amounts <= 当前逾期总额
  X_BANDS_AGE     an amount in an age band the 还款状态 has not reached (e.g. 逾期61-90 with status 2)
  X_ID            证件号码 an 18-character resident id: region, valid birth date, ISO 7064 MOD 11-2 check
  X_MONTH         月份 = the report date's month, report date = the header's; SettDate <= RptDate
  X_DUPLICATE     an account twice in one 210 file
  X_VANISHED      an account of the previous period's file, not closed (4) there, absent from this file
  STRUCTURE / REQUIRED / FORMAT / CODE / HEADER / DOCUMENT: layout, presence, formats and code sets
"""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import duckdb

from creditwh.errors import PipelineError
from creditwh.reporting.pboc.spec import (
    ACCOUNT,
    ACCOUNT_DELETE,
    ACCT_TYPE_CARD,
    CARD_ACCOUNT_STATUSES,
    CORRECTION,
    FIVE_CATEGORIES,
    HEADER,
    ID_TYPE_RESIDENT_ID,
    RECORD_TAG,
    REPAYMENT_STATUSES,
    ROOT,
    SEGMENT_DELETE,
    SEGMENTS,
)

SAMPLES_PER_RULE = 20
MEMORY_LIMIT = "4GB"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


class PbocValidationError(PipelineError):
    """A PBOC file breaks validation rules: it must not be published."""


@dataclass(frozen=True)
class Finding:
    rule: str
    acct_code: str | None
    element: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"AcctCode {self.acct_code}" if self.acct_code else "file"
        return f"{self.rule} {where}" + (f" {self.element}" if self.element else "") + f": {self.message}" + (
            f" (line {self.line})" if self.line else "")  # fmt: skip


@dataclass
class ValidationReport:
    path: Path
    record_type: str | None = None
    records: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    samples: list[Finding] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return sum(self.counts.values())

    @property
    def rules(self) -> set[str]:
        return {r for r, n in self.counts.items() if n}

    def add(self, finding: Finding, count: int = 1) -> None:
        self.counts[finding.rule] = self.counts.get(finding.rule, 0) + count
        self.samples.append(finding)

    def raise_for_errors(self) -> None:
        if self.error_count:
            listed = "\n  ".join(str(f) for f in self.samples[:30])
            raise PbocValidationError(
                f"{self.path.name}: {self.error_count} PBOC validation errors "
                f"({', '.join(f'{r} x{n}' for r, n in sorted(self.counts.items()))}):\n  {listed}"
            )


def validate_pboc(
    path: Path | str, previous_path: Path | str | None = None, deleted_whole: frozenset[str] = frozenset()
) -> ValidationReport:
    """Check the message file at `path`; `previous_path` is the previous period's original 210 file (the
    continuity check), if any; `deleted_whole` the account codes whose 214 goes with this file, which the
    continuity check does not expect in it."""
    path = Path(path)
    report = ValidationReport(path)
    # an in-memory database with a memory cap spilling to a scratch folder beside the file: a month of 10M
    # records spills to disk instead of holding every intermediate table in memory, and 1M stay in memory
    # (a database file would checkpoint each table to disk)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=f".{path.name}.validate-") as scratch:
        con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": scratch})
        try:
            loaded = _try_load_lines(con, path)
            if not (loaded and _well_formed_by_layout(con, path)):
                if not _expat_accepts(path, report):
                    return report
                if not loaded:
                    _load_lines(con, path)
            header = _header(path, report)
            if header is None:
                return report
            report.record_type = header.get("InfRecType")
            if report.record_type not in RECORD_TAG:
                report.add(
                    Finding("HEADER", None, "InfRecType", f"unknown record type {report.record_type!r}")
                )
                return report
            _check_records(con, report, header)
            if previous_path is not None and report.record_type == ACCOUNT:
                _check_continuity(con, report, Path(previous_path), deleted_whole)
        finally:
            con.close()
    return report


def _expat_accepts(path: Path, report: ValidationReport) -> bool:
    """The XML parser's verdict on the whole document (a DOCUMENT finding when it refuses it)."""
    try:
        parser = expat.ParserCreate("UTF-8")
        with open(path, "rb") as fh:
            parser.ParseFile(fh)
    except (expat.ExpatError, UnicodeDecodeError) as exc:
        report.add(Finding("DOCUMENT", None, None, f"not a well-formed UTF-8 XML document: {exc}"))
        return False
    return True


# Character data the layout proof accepts: plain characters (no markup, no control characters, no U+FFFD,
# which also stands for bytes that are not UTF-8) or the predefined entities
_TEXT = r"(?:[^<>&\x00-\x1f\x{FFFD}\x{FFFE}\x{FFFF}]|&(?:amp|lt|gt|quot|apos);)*"
# the prolog the writer puts on lines 1-3, then the header on line 4
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
_COMMENT = r"<!--(?:[^-\x00-\x1f\x{FFFD}\x{FFFE}\x{FFFF}]|-[^-\x00-\x1f\x{FFFD}\x{FFFE}\x{FFFF}])*-->"
_HEADER_FIELDS = (
    "MsgVer",
    "InfRecType",
    "DataProvOrgCode",
    "RptDate",
    "CreateTime",
    "Sequence",
    "RecordCount",
)
# the elements of the 212 / 213 / 214 records outside any segment
_RECORD_FIELDS = ("InfRecType", "ModRecCode", "RptDate", "AcctType", "MdfcSgmtCode", "DelRecCode", "DelSgmtCode",
                  "DelStartDate", "DelEndDate")  # fmt: skip


def _names_sql(names) -> str:
    """Any one of the elements `names` holding character data (_TEXT)."""
    return "(?:" + "|".join(f"<{n}>{_TEXT}</{n}>" for n in sorted(set(names))) + ")"


def _record_line_pattern() -> str:
    """A record line that is well-formed XML by construction: a record element holding elements of known
    names with character data, and segments holding their elements (each start tag closed by its own end
    tag: one alternative per name, as RE2 has no back-references)."""
    segment = "|".join(f"<{s.tag}>{_names_sql(e.name for e in s.elements)}*</{s.tag}>" for s in SEGMENTS)
    body = f"(?:{_names_sql(_RECORD_FIELDS)}|{segment})*"
    return "(?:" + "|".join(f"<{t}>{body}</{t}>" for t in RECORD_TAG.values()) + ")"


def _account_line_pattern() -> str:
    """A 210 record line in the layout exactly (segments B, C, H and optionally J, each with its elements in
    order, any of them absent), well-formed by construction like _record_line_pattern."""
    seg = {s.code: s for s in SEGMENTS}

    def body(s) -> str:
        return (
            f"<{s.tag}>" + "".join(f"(?:<{e.name}>{_TEXT}</{e.name}>)?" for e in s.elements) + f"</{s.tag}>"
        )

    tag = RECORD_TAG[ACCOUNT]
    return f"<{tag}>{body(seg['B'])}{body(seg['C'])}{body(seg['H'])}(?:{body(seg['J'])})?</{tag}>"


def _well_formed_by_layout(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """True when the loaded lines prove the file a well-formed document, in one set-based pass: every byte
    accounted for by the lines and their "\\n" ends (DuckDB's line reading neither dropped nor split
    anything), the writer's prolog and header lines, well-formed record lines, and the closing root tag
    last. False means "not proven": the XML parser decides (a file the writer did not make, or a broken
    one)."""
    (proven,) = con.execute(f"""
        WITH n AS (SELECT count(*) AS total, sum(coalesce(strlen(line), 0) + 1) AS bytes FROM lines)
        SELECT any_value(n.bytes) = {path.stat().st_size} AND any_value(n.total) >= 5 AND bool_and(coalesce(
            CASE line_no WHEN 1 THEN line = '{_DECLARATION}'
                         WHEN 2 THEN regexp_full_match(line, '{_COMMENT}')
                         WHEN 3 THEN line = '<{ROOT}>'
                         WHEN 4 THEN regexp_full_match(line, '<{HEADER}>{_names_sql(_HEADER_FIELDS)}*</{HEADER}>')
                         WHEN n.total THEN line = '</{ROOT}>'
                         ELSE well_formed END, false))
        FROM lines, n""").fetchone()  # fmt: skip
    return bool(proven)


def _header(path: Path, report: ValidationReport) -> dict[str, str] | None:
    with open(path, encoding="utf-8") as fh:
        first = [fh.readline().rstrip("\n") for _ in range(4)]
    if not first[0].startswith("<?xml") or first[2] != f"<{ROOT}>" or not first[3].startswith(f"<{HEADER}>"):
        report.add(Finding("HEADER", None, None, "expected the XML declaration, a comment, <Message> and the "
                                                 "header on lines 1-4"))  # fmt: skip
        return None
    node = ET.fromstring(first[3])  # noqa: S314 - one line of a document known to be well-formed
    header = {child.tag: (child.text or "") for child in node}
    for name in _HEADER_FIELDS:
        if not header.get(name):
            report.add(Finding("HEADER", None, name, "missing or empty", 4))
    if report.error_count:
        return None
    if not re.fullmatch(_DATE, header["RptDate"]) or not header["RecordCount"].isdigit():
        report.add(Finding("HEADER", None, "RptDate/RecordCount", "not a date / not a count", 4))
        return None
    return header


def _try_load_lines(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Load the lines; False when DuckDB refuses the file (not UTF-8, unreadable): the XML parser says why."""
    try:
        _load_lines(con, path)
    except duckdb.Error:
        con.execute("DROP TABLE IF EXISTS numbered_lines")
        con.execute("DROP TABLE IF EXISTS lines")
        return False
    return True


def _load_lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Table lines: each line's number and text, whether it is a 210 record in the exact layout (account),
    and whether it is a well-formed record line (_record_line_pattern); one regex pass over the text."""
    source = str(path).replace("'", "''")
    # numbering the lines in file order runs in one thread: the regex pass is a second, parallel statement
    con.execute(f"""CREATE TABLE numbered_lines AS
        SELECT row_number() OVER () AS line_no, line
        FROM read_csv('{source}', columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(31), quote = '',
                      escape = '', auto_detect = false, strict_mode = false)""")  # fmt: skip
    con.execute(f"""CREATE TABLE lines AS
        SELECT line_no, line, account, CASE WHEN account THEN true
                                            ELSE regexp_full_match(line, '{_record_line_pattern()}') END AS well_formed
        FROM (SELECT line_no, line, regexp_full_match(line, '{_account_line_pattern()}') AS account
              FROM numbered_lines)""")  # fmt: skip
    con.execute("DROP TABLE numbered_lines")


def _between_sql(source: str, name: str) -> str:
    """The text between <name> and </name> in `source` (NULL when absent): string positions, no regex (the
    document is well-formed, so an element's text ends at its closing tag)."""
    start, n = f"instr({source}, '<{name}>')", len(name) + 2
    return f"CASE WHEN {start} > 0 THEN substr({source}, {start} + {n}, instr({source}, '</{name}>') - {start} - {n}) END"


def _positions_sql(source: str, name: str, alias: str) -> str:
    """Columns o_<alias>, c_<alias>: where <name> and </name> start in `source` (0: absent)."""
    return f"instr({source}, '<{name}>') AS o_{alias}, instr({source}, '</{name}>') AS c_{alias}"


def _text_at_sql(source: str, name: str, alias: str) -> str:
    """_between_sql over the positions of _positions_sql(source, name, alias)."""
    n = len(name) + 2
    return f"CASE WHEN o_{alias} > 0 THEN substr({source}, o_{alias} + {n}, c_{alias} - o_{alias} - {n}) END"


def _unescape_sql(text: str) -> str:
    return f"replace(replace(replace(nullif({text}, ''), '&lt;', '<'), '&gt;', '>'), '&amp;', '&')"


def _element_sql(source: str, name: str) -> str:
    return _unescape_sql(_between_sql(source, name))


def _segment_pattern(segment) -> str:
    """A segment body: its elements in the layout's order, each optional (presence is rule REQUIRED)."""
    return "^" + "".join(f"(?:<{e.name}>([^<]*)</{e.name}>)?" for e in segment.elements) + "$"


def _check_records(con: duckdb.DuckDBPyConnection, report: ValidationReport, header: dict[str, str]) -> None:
    record_type = report.record_type
    tag = RECORD_TAG[record_type]
    (total,) = con.execute("SELECT count(*) FROM lines").fetchone()
    con.execute(
        f"CREATE VIEW records AS SELECT line_no, line, account FROM lines WHERE line_no > 4 AND line_no < {total}"
    )
    last = con.execute(f"SELECT line FROM lines WHERE line_no = {total}").fetchone()
    if last is None or last[0] != f"</{ROOT}>":
        report.add(Finding("STRUCTURE", None, None, f"the last line must close <{ROOT}>", total))
    report.records = con.execute("SELECT count(*) FROM records").fetchone()[0]
    if report.records != int(header["RecordCount"]):
        report.add(Finding("HEADER", None, "RecordCount",
                           f"header says {header['RecordCount']}, the file holds {report.records}", 4))  # fmt: skip
    day = header["RptDate"]
    seg = {s.code: s for s in SEGMENTS}
    if record_type == ACCOUNT:
        shape = (f"^<{tag}><{seg['B'].tag}>.*</{seg['B'].tag}><{seg['C'].tag}>.*</{seg['C'].tag}>"
                 f"<{seg['H'].tag}>.*</{seg['H'].tag}>(<{seg['J'].tag}>.*</{seg['J'].tag}>)?</{tag}>$")  # fmt: skip
        code = _element_sql("line", "AcctCode")
    elif record_type == CORRECTION:
        alternatives = "|".join(
            f"<MdfcSgmtCode>{s.code}</MdfcSgmtCode><{s.tag}>.*</{s.tag}>" for s in SEGMENTS
        )
        shape = (f"^<{tag}><InfRecType>212</InfRecType><ModRecCode>[^<]+</ModRecCode><RptDate>{day}</RptDate>"
                 f"<AcctType>{ACCT_TYPE_CARD}</AcctType>({alternatives})</{tag}>$")  # fmt: skip
        code = _element_sql("line", "ModRecCode")
    elif record_type == SEGMENT_DELETE:
        shape = (f"^<{tag}><InfRecType>213</InfRecType><DelRecCode>[^<]+</DelRecCode><DelSgmtCode>[HJ]"
                 f"</DelSgmtCode><DelStartDate>{_DATE}</DelStartDate><DelEndDate>{_DATE}</DelEndDate></{tag}>$")  # fmt: skip
        code = _element_sql("line", "DelRecCode")
    else:
        shape = f"^<{tag}><InfRecType>214</InfRecType><DelRecCode>[^<]+</DelRecCode></{tag}>$"
        code = _element_sql("line", "DelRecCode")
    structure = ("STRUCTURE", None, f"the record does not have the {record_type} layout", "NOT shape_ok")
    if record_type in (ACCOUNT, CORRECTION):
        # a 210 record in the exact layout (lines.account) has the record's shape and its segments' layouts
        account = "account" if record_type == ACCOUNT else "false"
        con.execute(f"""CREATE VIEW records_shape AS SELECT line_no, line, {code} AS acct_code,
                        CASE WHEN {account} THEN true ELSE regexp_matches(line, '{shape}') END AS shape_ok,
                        {account} AS account FROM records""")  # fmt: skip
        _check_segments(con, report, structure, day)
    else:
        con.execute(f"""CREATE VIEW records_shape AS SELECT line_no, line, {code} AS acct_code,
                        regexp_matches(line, '{shape}') AS shape_ok FROM records""")  # fmt: skip
        checks = [structure]
        if record_type == SEGMENT_DELETE:
            checks.append(("FORMAT", "DelStartDate", "deletion period not a valid date range",
                           f"""NOT coalesce(try_cast({_element_sql("line", "DelStartDate")} AS DATE)
                                            <= try_cast({_element_sql("line", "DelEndDate")} AS DATE), false)"""))  # fmt: skip
        _checks(con, report, "records_shape", checks)
    if record_type in (SEGMENT_DELETE, ACCOUNT_DELETE, CORRECTION):
        _findings(
            con,
            report,
            "X_DUPLICATE",
            None,
            "the same account record twice in one file",
            """
            SELECT min(line_no) AS line_no, line AS acct_code FROM records GROUP BY line HAVING count(*) > 1""",
        )


def _check_segments(con: duckdb.DuckDBPyConnection, report: ValidationReport, structure, day: str) -> None:
    """Element checks and the CRC / cross-field rules over every segment present in the records: one pass
    extracts every element into table fields (raw text), view f types them, and each group of rules is
    counted in one scan."""
    keep = ["line_no", "acct_code", "shape_ok"]
    # start tags' positions are columns of their own, each found once (an expression repeated in a CASE would
    # search again), then the text up to the next start (_segment_text_sql, _laid_out_text_sql); first the
    # segments in the line, then the elements in a segment
    positions = [*keep, "account", "line"] + [
        f"instr(line, '<{s.tag}>') AS o_seg_{s.code.lower()}" for s in SEGMENTS
    ]
    segments = [*keep, "account"] + [
        f"{_segment_text_sql(i)} AS seg_{s.code.lower()}" for i, s in enumerate(SEGMENTS)
    ]
    layouts, elements, columns = list(keep), list(keep), list(keep)
    for s in SEGMENTS:
        x = s.code.lower()
        # a segment in the layout holds each element at most once, in order, its text up to the next "<":
        # the text between an element's tags is what the layout's capture group would hold
        layout = f"CASE WHEN account THEN seg_{x} IS NOT NULL ELSE regexp_full_match(seg_{x}, '{_segment_pattern(s)}') END"
        layouts += [f"seg_{x}", f"seg_{x} IS NOT NULL AS has_{x}", f"{layout} AS layout_{x}"]
        elements += [f"seg_{x}", f"has_{x}", f"layout_{x}"]
        elements += [f"instr(seg_{x}, '<{e.name}>') AS o_{x}_{e.name.lower()}" for e in s.elements]
        columns += [f"has_{x}", f"layout_{x}"]
        columns += [f"CASE WHEN layout_{x} THEN {_unescape_sql(_laid_out_text_sql(s, i))} END AS {x}_{e.name.lower()}"
                    for i, e in enumerate(s.elements)]  # fmt: skip
    # two statements: DuckDB runs the segments' and the elements' searches faster apart than in one pipeline
    con.execute(f"CREATE TABLE segments AS {_layers_sql('records_shape', [positions, segments])}")
    con.execute("DROP VIEW records_shape")
    if report.record_type == ACCOUNT:  # the text is no longer needed (212: duplicates compare whole lines)
        con.execute("DROP VIEW records")
        con.execute("DROP TABLE lines")
    con.execute(f"CREATE TABLE fields AS {_layers_sql('segments', [layouts, elements, columns])}")
    con.execute("DROP TABLE segments")
    checks = [structure]
    for s in SEGMENTS:
        x = s.code.lower()
        checks.append(("STRUCTURE", s.tag, "unknown elements, or elements out of the layout's order",
                       f"has_{x} AND NOT layout_{x}"))  # fmt: skip
    typed = ["line_no", "acct_code"] + [f"has_{s.code.lower()}" for s in SEGMENTS]
    for s in SEGMENTS:
        x = s.code.lower()
        for e in s.elements:
            col = f"{x}_{e.name.lower()}"
            kind_sql = {"int": f"try_cast({col} AS BIGINT)", "date": f"try_cast({col} AS DATE)"}
            typed.append(f"{kind_sql.get(e.kind, col)} AS {col}")
            pattern = {"int": "^[0-9]{1,15}$", "date": f"^{_DATE}$", "month": "^[0-9]{4}-(0[1-9]|1[0-2])$"}
            if e.required:
                checks.append(("REQUIRED", e.name, f"missing in {s.tag}", f"has_{x} AND {col} IS NULL"))
            if e.kind in pattern:
                valid = f"regexp_matches({col}, '{pattern[e.kind]}')" + (
                    f" AND try_cast({col} AS DATE) IS NOT NULL" if e.kind == "date" else "")  # fmt: skip
                checks.append(("FORMAT", e.name, f"{e.kind} expected in {s.tag}",
                               f"{col} IS NOT NULL AND NOT ({valid})"))  # fmt: skip
    _checks(con, report, "fields", checks)
    con.execute(f"CREATE VIEW f AS SELECT {', '.join(typed)} FROM fields")
    _checks(con, report, "f", _rules(day))
    if report.record_type == ACCOUNT:
        _findings(
            con,
            report,
            "X_DUPLICATE",
            "AcctCode",
            "the account appears more than once",
            """
            SELECT min(line_no) AS line_no, acct_code FROM f GROUP BY acct_code HAVING count(*) > 1""",
        )


def _segment_text_sql(i: int) -> str:
    """The text of the record line's i-th segment (NULL when absent), from the start positions of the segments
    (o_seg_<code>): a 210 line in the exact layout (account) holds its segments one after the other, so a
    segment ends where the next one present starts, or where the record ends; any other line is cut at the
    segment's first end tag."""
    s = SEGMENTS[i]
    start, n = f"o_seg_{s.code.lower()}", len(s.tag) + 2
    following = [f"nullif(o_seg_{f.code.lower()}, 0)" for f in SEGMENTS[i + 1 :]]
    end = f"coalesce({', '.join([*following, f'length(line) - {len(RECORD_TAG[ACCOUNT]) + 2}'])})"
    cut = f"CASE WHEN account THEN {end} - {n + 1} ELSE instr(line, '</{s.tag}>') END"
    return f"CASE WHEN {start} > 0 THEN substr(line, {start} + {n}, {cut} - {start} - {n}) END"


def _laid_out_text_sql(segment, i: int) -> str:
    """The text of the segment's i-th element (NULL when absent), from the start positions of its elements
    only (o_<code>_<name>): in a segment in the layout the elements follow each other, so an element's end
    tag ends where the next element present starts, or where the segment ends. One search per element
    instead of two (the searches were most of the validator's time); only read where the layout holds."""
    x, e = segment.code.lower(), segment.elements[i]
    following = [f"nullif(o_{x}_{f.name.lower()}, 0)" for f in segment.elements[i + 1 :]]
    end = f"coalesce({', '.join([*following, f'length(seg_{x}) + 1'])})"
    start, n = f"o_{x}_{e.name.lower()}", len(e.name) + 2
    return f"CASE WHEN {start} > 0 THEN substr(seg_{x}, {start} + {n}, {end} - {n + 1} - {start} - {n}) END"


def _layers_sql(source: str, layers: list[list[str]]) -> str:
    """SELECT the last layer's columns, each layer computed from the one before, the first from `source`."""
    for layer in layers:
        source = f"(SELECT {', '.join(layer)} FROM {source})"
    return f"SELECT * FROM {source}"


def _checks(con: duckdb.DuckDBPyConnection, report: ValidationReport, table: str, checks) -> None:
    """Findings of `checks` ((rule, element, message, SQL violation predicate over `table`)): every rule
    counted in one scan of the table, then the samples of the rules that fired, in the checks' order."""
    counts = con.execute(f"SELECT {', '.join(f'count_if({c[3]})' for c in checks)} FROM {table}").fetchone()
    for (rule, element, message, violation), count in zip(checks, counts, strict=True):
        if count:
            _record_findings(con, report, rule, element, message, int(count),
                             f"SELECT line_no, acct_code FROM {table} WHERE {violation}")  # fmt: skip


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def _id_invalid_sql(col: str) -> str:
    digits = " + ".join(
        f"TRY_CAST(substr({col}, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(_ID_WEIGHTS)
    )
    return (f"NOT coalesce(regexp_matches({col}, '^[1-9][0-9]{{16}}[0-9X]$') "
            f"AND try_strptime(substr({col}, 7, 8), '%Y%m%d') IS NOT NULL "
            f"AND substr('{_ID_CHECK}', (({digits}) % 11) + 1, 1) = substr({col}, 18, 1), false)")  # fmt: skip


def _rules(day: str) -> list[tuple[str, str | None, str, str]]:
    """(rule, element, message, SQL violation predicate over table f). A predicate on an absent segment
    is NULL, so a rule only fires on the segments a record holds."""
    overdue = _in(("1", "2", "3", "4", "5", "6", "7"))
    rules = [
        ("CODE", "InfRecType", "must be 210", "has_b AND b_infrectype <> '210'"),
        ("CODE", "AcctType", f"must be {ACCT_TYPE_CARD}", f"has_b AND b_accttype <> '{ACCT_TYPE_CARD}'"),
        ("CODE", "IDType", f"must be {ID_TYPE_RESIDENT_ID} (resident id)",
         f"has_b AND b_idtype <> '{ID_TYPE_RESIDENT_ID}'"),
        ("X_ID", "IDNum", "not a valid 18-character resident id (region, birth date, MOD 11-2 check)",
         f"has_b AND b_idtype = '{ID_TYPE_RESIDENT_ID}' AND {_id_invalid_sql('b_idnum')}"),
        ("X_MONTH", "RptDate", f"must be the header's report date {day}", f"has_b AND b_rptdate <> DATE '{day}'"),
        ("X_MONTH", "Month", "must be the month of the report date", f"has_h AND h_month <> '{day[:7]}'"),
        ("X_MONTH", "SettDate", "after the report date", f"has_h AND h_settdate > DATE '{day}'"),
    ]  # fmt: skip
    for x in ("h", "j"):
        rules += [
            ("CODE", "AcctStatus", "not a card account status", f"has_{x} AND {x}_acctstatus NOT IN {_in(CARD_ACCOUNT_STATUSES)}"),
            ("CODE", "RpyStatus", "not a repayment status", f"has_{x} AND {x}_rpystatus NOT IN {_in(REPAYMENT_STATUSES)}"),
            ("CODE", "FiveCate", "not a five-tier class", f"has_{x} AND {x}_fivecate NOT IN {_in(FIVE_CATEGORIES)}"),
            ("I2100H15", "TotOverd", "销户 (4) with overdue periods or amount",
             f"{x}_acctstatus = '4' AND NOT ({x}_overdprd = 0 AND {x}_totoverd = 0)"),
            ("X_STATUS_PAIR", "RpyStatus", "B only with 呆账 (5), C / G only with 销户 (4)",
             f"({x}_rpystatus = 'B') <> ({x}_acctstatus = '5') OR ({x}_rpystatus IN ('C', 'G') AND {x}_acctstatus <> '4')"),
            ("X_CLOSED_BALANCE", "AcctBal", "销户 (4) with a balance", f"{x}_acctstatus = '4' AND {x}_acctbal <> 0"),
        ]  # fmt: skip
    rules += [
        ("I2100H04", "AcctStatus", "未激活 (6) needs 余额 0, 还款状态 *, 逾期期数 0 and 逾期总额 0",
         "h_acctstatus = '6' AND NOT (h_acctbal = 0 AND h_rpystatus = '*' AND h_overdprd = 0 AND h_totoverd = 0)"),
        ("I2100H05", "RpyStatus", "* needs 本月应还款金额, 逾期期数, 逾期总额 and 本期账单余额 of 0",
         "h_rpystatus = '*' AND NOT (h_currpyamt = 0 AND h_overdprd = 0 AND h_totoverd = 0 AND h_pridacctbal = 0)"),
        ("I2100H07", "RpyStatus", "N / M with overdue periods or amount (月度表现)",
         "h_rpystatus IN ('N', 'M') AND NOT (h_overdprd = 0 AND h_totoverd = 0)"),
        ("I2100J06", "RpyStatus", "N / M with overdue periods or amount (非月度表现)",
         "j_rpystatus IN ('N', 'M') AND NOT (j_overdprd = 0 AND j_totoverd = 0)"),
        ("I2100H09", "RpyStatus", "1-7 needs 当前逾期期数 > 0 and 当前逾期总额 > 0",
         f"h_rpystatus IN {overdue} AND NOT (h_overdprd > 0 AND h_totoverd > 0)"),
        ("LNK_CLOSE", "CloseDate", "账户状态 3 / 4 needs 账户关闭日期 (月度表现)",
         "h_acctstatus IN ('3', '4') AND h_closedate IS NULL"),
        ("LNK_CLOSE", "CloseDate", "账户状态 4 needs 账户关闭日期 (非月度表现)",
         "j_acctstatus = '4' AND j_closedate IS NULL"),
        ("X_CLOSE_STATUS", "CloseDate", "a closing date with an open account status",
         "h_closedate IS NOT NULL AND h_acctstatus NOT IN ('3', '4')"),
        ("DATE_ORDER", "FiveCateAdjDate", "开户日期 <= 五级分类认定日期 <= 账户关闭日期 broken",
         "c_opendate > h_fivecateadjdate OR h_fivecateadjdate > h_closedate OR c_opendate > h_closedate"),
        ("DATE_ORDER", "FiveCateAdjDate", "五级分类认定日期 after the report date", f"h_fivecateadjdate > DATE '{day}'"),
        ("X_BANDS_SUM", "TotOverd", "overdue amounts by age add up to more than 当前逾期总额",
         "h_oved31_60princ + h_oved61_90princ + h_oved91_180princ > h_totoverd"),
        ("X_BANDS_AGE", "RpyStatus", "an overdue amount in an age band the repayment status has not reached",
         ("(h_oved31_60princ > 0 AND h_rpystatus NOT IN ('2', '3', '4', '5', '6', '7'))"
          " OR (h_oved61_90princ > 0 AND h_rpystatus NOT IN ('3', '4', '5', '6', '7'))"
          " OR (h_oved91_180princ > 0 AND h_rpystatus NOT IN ('4', '5', '6', '7'))"
          " OR (h_ovedrawbaove180 > 0 AND h_rpystatus NOT IN ('7', 'B'))")),
    ]  # fmt: skip
    return rules


def _findings(
    con: duckdb.DuckDBPyConnection,
    report: ValidationReport,
    rule: str,
    element: str | None,
    message: str,
    sql: str,
) -> None:
    (count,) = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()
    if count:
        _record_findings(con, report, rule, element, message, int(count), sql)


def _record_findings(
    con: duckdb.DuckDBPyConnection,
    report: ValidationReport,
    rule: str,
    element: str | None,
    message: str,
    count: int,
    sql: str,
) -> None:
    """Add `count` findings of `rule`, with the first SAMPLES_PER_RULE rows of `sql` (line_no, acct_code)."""
    rows = con.execute(
        f"SELECT line_no, acct_code FROM ({sql}) ORDER BY line_no LIMIT {SAMPLES_PER_RULE}"
    ).fetchall()
    report.counts[rule] = report.counts.get(rule, 0) + count
    report.samples += [
        Finding(rule, acct, element, message, None if line is None else int(line)) for line, acct in rows
    ]


def _check_continuity(
    con: duckdb.DuckDBPyConnection, report: ValidationReport, previous: Path, deleted_whole: frozenset[str]
) -> None:
    """No vanished accounts: every account of the previous period's file that was not closed (销户) there
    and is not deleted whole now (214) has a record in this period's file (its final record, when it closed
    during the period)."""
    source = str(previous).replace("'", "''")
    monthly = next(s.tag for s in SEGMENTS if s.code == "H")
    # the monthly segment as the records' segments are cut (its first start and end tags, by position): a
    # regex capturing it took most of the check's time
    con.execute(f"""CREATE TABLE previous_records AS
        SELECT acct_code, {_element_sql("seg_h", "AcctStatus")} AS acct_status
        FROM (SELECT {_element_sql("line", "AcctCode")} AS acct_code,
                     CASE WHEN c_h > o_h THEN {_text_at_sql("line", monthly, "h")} END AS seg_h
              FROM (SELECT line, {_positions_sql("line", monthly, "h")}
                    FROM read_csv('{source}', columns = {{'line': 'VARCHAR'}}, header = false, delim = chr(31),
                                  quote = '', escape = '', auto_detect = false, strict_mode = false)
                    WHERE starts_with(line, '<{RECORD_TAG[ACCOUNT]}>')))""")  # fmt: skip
    con.execute(
        "CREATE TABLE deleted_whole AS SELECT unnest(?::VARCHAR[]) AS acct_code", [sorted(deleted_whole)]
    )
    _findings(con, report, "X_VANISHED", "AcctCode",
              f"open in the previous period's file {previous.name} and absent from this one", """
        SELECT NULL AS line_no, p.acct_code FROM previous_records p
        WHERE p.acct_status <> '4' AND p.acct_code NOT IN (SELECT acct_code FROM f)
            AND p.acct_code NOT IN (SELECT acct_code FROM deleted_whole)""")  # fmt: skip
