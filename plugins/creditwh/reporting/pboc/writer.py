"""Write a PBOC card account message file, set-based: DuckDB builds every record's text, Python frames it.

A message file holds ONE record type (210, 212, 213 or 214) and reads as an XML document::

    <?xml version="1.0" encoding="UTF-8"?>
    <!-- layout modelled on public sources; not an official PBOC specification (docs/pboc.md) -->
    <Message>
    <Header>...<InfRecType>210</InfRecType>...<RecordCount>n</RecordCount></Header>
    <InAcctInf><AcctBsSgmt>...</AcctBsSgmt><AcctBsInfSgmt>...</AcctBsInfSgmt>...</InAcctInf>   one line per record
    </Message>

UTF-8, "\\n" line ends, records ordered by their sort key (the account code), an element whose value is
NULL is left out, text is XML-escaped (control characters become blanks). The header's time stamps are the
period's, never the clock, so the same inputs give the same bytes. The records are sorted and written in
batches of at most BATCH_RECORDS (ranges of the sort key cut at its quantiles, each sorted by DuckDB and
streamed as Arrow batches into the file), so the writer holds one batch's text, not the whole file's; the
file's SHA-256 is computed as it is written, into a temp file that is then renamed into place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import os
import struct
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from creditwh.reporting.pboc.spec import (
    HEADER,
    MESSAGE_VERSION,
    MODELLED_ON,
    RECORD_TAG,
    ROOT,
    Element,
    Segment,
)


@dataclass(frozen=True)
class MessageHeader:
    record_type: str
    data_provider_org_code: str
    period_end: dt.date
    sequence: int  # 0 = the period's original submission, n = its n-th correction

    def xml(self, record_count: int) -> str:
        values = {
            "MsgVer": MESSAGE_VERSION,
            "InfRecType": self.record_type,
            "DataProvOrgCode": self.data_provider_org_code,
            "RptDate": self.period_end.isoformat(),
            "CreateTime": f"{self.period_end.isoformat()}T00:00:00",  # the period, never the clock
            "Sequence": str(self.sequence),
            "RecordCount": str(record_count),
        }
        return f"<{HEADER}>" + "".join(f"<{k}>{_escape(v)}</{k}>" for k, v in values.items()) + f"</{HEADER}>"


@dataclass(frozen=True)
class WriteResult:
    path: Path
    records: int
    byte_size: int
    sha256: str


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def value_sql(element: Element, column: str | None = None) -> str:
    """SQL giving the element's text (NULL when the column is NULL)."""
    col = f'"{column or element.column}"'
    if element.kind == "int":
        return f"CAST(CAST({col} AS BIGINT) AS VARCHAR)"
    if element.kind == "date":
        return f"strftime(CAST({col} AS DATE), '%Y-%m-%d')"
    text = f"CAST({col} AS VARCHAR)"
    escaped = rf"regexp_replace({text}, '[\x00-\x1f]', ' ', 'g')"
    escaped = f"replace(replace(replace({escaped}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    # one search says whether the value needs escaping at all (most are plain codes): the four rewrites of
    # every value were most of the cost of rendering a record
    return rf"CASE WHEN regexp_matches({text}, '[\x00-\x1f&<>]') THEN {escaped} ELSE {text} END"


def segment_sql(segment: Segment) -> str:
    """SQL giving the segment's XML text from a row of the model (NULL-valued elements left out)."""
    # one concat of all the parts: a chain of || copies the growing text once per part
    parts = [f"""CASE WHEN "{e.column}" IS NULL THEN '' ELSE concat('<{e.name}>', {value_sql(e)}, '</{e.name}>') END"""
             for e in segment.elements]  # fmt: skip
    return f"concat('<{segment.tag}>', " + ", ".join(parts) + f", '</{segment.tag}>')"


def record_open(record_type: str) -> str:
    return f"<{RECORD_TAG[record_type]}>"


def record_close(record_type: str) -> str:
    return f"</{RECORD_TAG[record_type]}>"


BATCH_RECORDS = 500_000  # records sorted at a time (about 0.6 GB of a 210 file's text)
ARROW_BATCH_ROWS = 100_000  # rows per Arrow batch fetched from a sorted batch


def write_message(
    con: duckdb.DuckDBPyConnection,
    records_sql: str,
    header: MessageHeader,
    out_path: Path,
    batch_records: int = BATCH_RECORDS,
) -> WriteResult:
    """Write the records of `records_sql` (a SELECT with columns sort_key, rec: one record's XML text per
    row) under `header` to `out_path`, atomically (temp file in the same folder, then a rename)."""
    out_path = Path(out_path)
    file_tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        [(count,)] = con.execute(f"SELECT count(*) FROM ({records_sql})").fetchall()
        prolog = ['<?xml version="1.0" encoding="UTF-8"?>', f"<!-- {MODELLED_ON} -->", f"<{ROOT}>",
                  header.xml(int(count))]  # fmt: skip
        digest, size = hashlib.sha256(), 0
        with open(file_tmp, "wb") as out:

            def emit(data: bytes | memoryview) -> None:
                nonlocal size
                digest.update(data)
                out.write(data)
                size += len(data)

            emit("".join(line + "\n" for line in prolog).encode())
            for where in _key_ranges(con, records_sql, int(count), batch_records):
                reader = con.sql(f"SELECT coalesce(rec, '') || chr(10) AS line FROM ({records_sql}) WHERE {where} "
                                 "ORDER BY sort_key NULLS LAST").to_arrow_reader(ARROW_BATCH_ROWS)  # fmt: skip
                for batch in reader:
                    emit(_text(batch.column(0)))
            emit(f"</{ROOT}>\n".encode())
            out.flush()
            os.fsync(out.fileno())
        os.replace(file_tmp, out_path)
        return WriteResult(out_path, int(count), size, digest.hexdigest())
    finally:
        file_tmp.unlink(missing_ok=True)


def _key_ranges(
    con: duckdb.DuckDBPyConnection, records_sql: str, count: int, batch_records: int
) -> list[str]:
    """WHERE conditions cutting the records into ranges of sort_key of about `batch_records` each, in
    order (NULL keys last, with the last range)."""
    batches = math.ceil(count / batch_records) if count else 1
    cuts: list = []
    if batches > 1:
        [(cuts,)] = con.execute(f"SELECT quantile_disc(sort_key, $q) FROM ({records_sql})",
                                {"q": [i / batches for i in range(1, batches)]}).fetchall()  # fmt: skip
        cuts = sorted({c for c in cuts if c is not None})
    if not cuts:
        return ["true"]
    ranges = [f"sort_key <= {_literal(cuts[0])}"]
    ranges += [
        f"sort_key > {_literal(lo)} AND sort_key <= {_literal(hi)}" for lo, hi in itertools.pairwise(cuts)
    ]
    ranges.append(f"(sort_key > {_literal(cuts[-1])} OR sort_key IS NULL)")
    return ranges


def _text(column: pa.Array) -> bytes | memoryview:
    """A string column's values back to back (its Arrow data buffer, not copied); NULLs are written as nothing."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        _, offsets, data = column.buffers()
        if data is None:
            return b""
        fmt, width = ("<q", 8) if pa.types.is_large_string(column.type) else ("<i", 4)
        (start,) = struct.unpack_from(fmt, offsets, width * column.offset)
        (end,) = struct.unpack_from(fmt, offsets, width * (column.offset + len(column)))
        return memoryview(data)[start:end]
    return "".join(v for v in column.to_pylist() if v is not None).encode()


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
