"""Physical layout of a Metro 2 file: where records start and whether a Block Descriptor Word precedes them.

Files come in two shapes (both in moov's test data):
* newline-separated: one physical record per line, optionally preceded by a 4-digit BDW;
* one undelimited stream of fixed- or variable-length records chained by their RDW.

A BDW and an RDW are both four digits, so a data line such as ``0426100010101...`` is ambiguous. It is
resolved by scoring both readings (BDW or not) against what a base segment must look like: processing
indicator ``1``, a plausible MMDDYYYYHHMMSS time stamp, and, within the RDW, either nothing after position 426
or an appended segment identifier / blank padding. The Python reader and the SQL validator use the same rule
(`bdw_width` and `bdw_width_sql`); tests check they agree on the fixtures.
"""

from __future__ import annotations

import re

from creditwh.reporting.metro2.spec import HEADER_IDENTIFIER, RECORD_LENGTH, SEGMENTS, TRAILER_IDENTIFIER

_TIMESTAMP = r"(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{10}|0{14}"
_TIMESTAMP_RE = re.compile(_TIMESTAMP)
_SEGMENT_IDS_SQL = ", ".join(f"'{s}'" for s in SEGMENTS)


def _tail_ok(line: str, p: int) -> bool:
    rdw = line[p : p + 4]
    rdw_value = int(rdw) if rdw.isdigit() else 0
    tail = line[p + RECORD_LENGTH : p + max(rdw_value, RECORD_LENGTH)]
    return tail == "" or tail[:2] in SEGMENTS or tail.strip() == ""


def _base_score(line: str, p: int) -> int:
    return (
        (line[p + 4 : p + 5] == "1") + bool(_TIMESTAMP_RE.fullmatch(line[p + 5 : p + 19])) + _tail_ok(line, p)
    )


def bdw_width(line: str) -> int:
    """4 when `line` starts with a Block Descriptor Word in front of the record's RDW, else 0."""
    if line[4:10] == HEADER_IDENTIFIER or line[4:11] == TRAILER_IDENTIFIER:
        return 0
    if line[8:14] == HEADER_IDENTIFIER or line[8:15] == TRAILER_IDENTIFIER:
        return 4
    if not line[:8].isdigit():
        return 0
    return 4 if _base_score(line, 4) > _base_score(line, 0) else 0


def _score_sql(col: str, p: int) -> str:
    rdw = f"coalesce(try_cast(substr({col}, {p + 1}, 4) AS INTEGER), 0)"
    tail = f"substr({col}, {p + RECORD_LENGTH + 1}, greatest({rdw} - {RECORD_LENGTH}, 0))"
    return (
        f"((substr({col}, {p + 5}, 1) = '1')::INTEGER"
        f" + regexp_full_match(substr({col}, {p + 6}, 14), '{_TIMESTAMP}')::INTEGER"
        f" + ({tail} = '' OR substr({tail}, 1, 2) IN ({_SEGMENT_IDS_SQL}) OR trim({tail}) = '')::INTEGER)"
    )


def bdw_width_sql(col: str) -> str:
    """SQL twin of `bdw_width` for a VARCHAR column holding one physical line."""
    return (
        "CASE"
        f" WHEN substr({col}, 5, 6) = '{HEADER_IDENTIFIER}'"
        f" OR substr({col}, 5, 7) = '{TRAILER_IDENTIFIER}' THEN 0"
        f" WHEN substr({col}, 9, 6) = '{HEADER_IDENTIFIER}'"
        f" OR substr({col}, 9, 7) = '{TRAILER_IDENTIFIER}' THEN 4"
        f" WHEN NOT regexp_full_match(substr({col}, 1, 8), '[0-9]{{8}}') THEN 0"
        f" WHEN {_score_sql(col, 4)} > {_score_sql(col, 0)} THEN 4 ELSE 0 END"
    )


def split_physical_records(text: str) -> list[str]:
    """Cut a file's text into physical records (each with its BDW, if any).

    Newline-separated files: one record per non-empty line (a trailing CR is dropped). Undelimited files:
    records are chained by their RDW (plus 4 when a BDW precedes it); trailing blank padding is ignored.
    Loops per record, so it is meant for small files and for undelimited files, which large extracts are not.
    """
    if "\n" in text:
        return [line.rstrip("\r") for line in text.split("\n") if line.rstrip("\r") != ""]
    records: list[str] = []
    pos = 0
    while pos < len(text):
        rest = text[pos:]
        if rest.strip() == "":
            break
        p = bdw_width(rest)
        rdw = rest[p : p + 4]
        if not rdw.isdigit() or int(rdw) < 5:
            records.append(rest)  # unchainable: hand the remainder over so the validator can report it
            break
        end = p + int(rdw)
        records.append(rest[:end])
        pos += end
    return records
