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
period's, never the clock, so the same inputs give the same bytes. One COPY writes the whole document
(prolog, header, the sorted records, the closing tag) to a temp file, which is then renamed into place.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from creditwh.checksums import sha256_file
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
    text = rf"regexp_replace(CAST({col} AS VARCHAR), '[\x00-\x1f]', ' ', 'g')"
    return f"replace(replace(replace({text}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"


def segment_sql(segment: Segment) -> str:
    """SQL giving the segment's XML text from a row of the model (NULL-valued elements left out)."""
    parts = [f"coalesce('<{e.name}>' || {value_sql(e)} || '</{e.name}>', '')" for e in segment.elements]
    return f"'<{segment.tag}>' || " + " || ".join(parts) + f" || '</{segment.tag}>'"


def record_open(record_type: str) -> str:
    return f"<{RECORD_TAG[record_type]}>"


def record_close(record_type: str) -> str:
    return f"</{RECORD_TAG[record_type]}>"


def write_message(
    con: duckdb.DuckDBPyConnection, records_sql: str, header: MessageHeader, out_path: Path
) -> WriteResult:
    """Write the records of `records_sql` (a SELECT with columns sort_key, rec: one record's XML text per
    row) under `header` to `out_path`, atomically (temp file in the same folder, then a rename)."""
    out_path = Path(out_path)
    file_tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex[:12]}.tmp")
    prior_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    try:
        (count,) = con.execute(f"SELECT count(*) FROM ({records_sql})").fetchone()
        con.execute("SET preserve_insertion_order = true")  # COPY must keep the ORDER BY
        # the whole document in one COPY: the prolog and header lines first (part 0-3), then the records in
        # sort order, then the closing root tag; every line written as is (no quoting, "\n" ends)
        prolog = ['<?xml version="1.0" encoding="UTF-8"?>', f"<!-- {MODELLED_ON} -->", f"<{ROOT}>",
                  header.xml(int(count))]  # fmt: skip
        framing = " UNION ALL ".join(
            f"SELECT {part} AS part, NULL AS sort_key, {_literal(text)} AS rec"
            for part, text in [*enumerate(prolog), (len(prolog) + 1, f"</{ROOT}>")]
        )
        target = str(file_tmp).replace("'", "''")
        con.execute(f"""COPY (SELECT rec FROM (
                            {framing}
                            UNION ALL SELECT {len(prolog)} AS part, sort_key, rec FROM ({records_sql}))
                        ORDER BY part, sort_key)
                        TO '{target}' (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\t')""")  # fmt: skip
        with open(file_tmp, "rb") as out:
            os.fsync(out.fileno())
        digest, size = sha256_file(file_tmp)
        os.replace(file_tmp, out_path)
        return WriteResult(out_path, int(count), size, digest)
    finally:
        con.execute(f"SET preserve_insertion_order = {'true' if prior_order else 'false'}")
        file_tmp.unlink(missing_ok=True)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
