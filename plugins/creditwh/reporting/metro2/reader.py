"""Python reader for Metro 2 426-character files: header, data records (base + appended segments), trailer.

For fixtures, tests and small files (it loops per record); the validator parses large files set-based in
DuckDB with the same `spec` positions. Values are typed loosely so a broken file can still be inspected:
alphanumerics are stripped strings, numerics/money ints (None when blank), dates/time stamps
`date`/`datetime` (None when zero or blank); a value that does not parse is returned as the raw string.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from creditwh.reporting.metro2.layout import bdw_width, split_physical_records
from creditwh.reporting.metro2.spec import (
    BASE,
    HEADER,
    HEADER_IDENTIFIER,
    RECORD_LENGTH,
    SEGMENTS,
    TRAILER,
    TRAILER_IDENTIFIER,
    Field,
    Layout,
)


def parse_value(field: Field, raw: str) -> Any:
    if field.kind == "A":
        return raw.strip()
    if field.kind in ("N", "M"):
        if raw.strip() == "":
            return None
        return int(raw) if raw.isdigit() else raw
    if raw.strip("0 ") == "":
        return None
    try:
        if field.kind == "D":
            return datetime.strptime(raw, "%m%d%Y").date() if raw.isdigit() else raw
        return datetime.strptime(raw, "%m%d%Y%H%M%S") if raw.isdigit() else raw
    except ValueError:
        return raw


def parse_layout(layout: Layout, text: str) -> dict[str, Any]:
    """Slice `text` (one record or segment, no BDW) by `layout`; filler fields are left out."""
    return {f.name: parse_value(f, f.slice(text)) for f in layout.fields if not f.is_filler}


def parse_segments(tail: str) -> tuple[dict[str, list[dict[str, Any]]], str]:
    """Parse the appended segments after the base segment. Returns the segments and any unparsed remainder
    (blank padding of fixed-length records is consumed silently)."""
    segments: dict[str, list[dict[str, Any]]] = {name.lower(): [] for name in SEGMENTS}
    pos = 0
    while pos < len(tail):
        seg_id = tail[pos : pos + 2]
        layout = SEGMENTS.get(seg_id)
        if layout is None or pos + layout.length > len(tail):
            break
        segments[seg_id.lower()].append(parse_layout(layout, tail[pos : pos + layout.length]))
        pos += layout.length
    rest = tail[pos:]
    return segments, ("" if rest.strip() == "" else rest)


def parse_physical_record(line: str) -> tuple[str, dict[str, Any]]:
    """Classify and parse one physical record. Returns (kind, parsed) with kind header / base / trailer."""
    p = bdw_width(line)
    record = line[p:]
    bdw = int(line[:4]) if p else None
    if record[4:10] == HEADER_IDENTIFIER:
        return "header", {"block_descriptor_word": bdw, **parse_layout(HEADER, record)}
    if record[4:11] == TRAILER_IDENTIFIER:
        return "trailer", {"block_descriptor_word": bdw, **parse_layout(TRAILER, record)}
    base = {"block_descriptor_word": bdw, **parse_layout(BASE, record)}
    segments, unparsed = parse_segments(record[RECORD_LENGTH:])
    data: dict[str, Any] = {"base": base, **segments}
    if unparsed:
        data["unparsed"] = unparsed
    return "base", data


def read_metro2(path: Path | str) -> dict[str, Any]:
    """Read a Metro 2 character-format file into {"header": {...}, "data": [...], "trailer": {...}}.

    Each data item is {"base": {...}, "j1": [...], "j2": [...], "k1": [...], ..., "n1": [...]} (lists even for
    segments that normally occur once), plus "unparsed" when bytes after the segments could not be read.
    """
    text = Path(path).read_bytes().decode("ascii", errors="replace")
    result: dict[str, Any] = {"header": None, "data": [], "trailer": None}
    for line in split_physical_records(text):
        kind, parsed = parse_physical_record(line)
        if kind == "base":
            result["data"].append(parsed)
        elif result[kind] is None:
            result[kind] = parsed
        else:
            raise ValueError(f"{path}: more than one {kind} record")
    return result
