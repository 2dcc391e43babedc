"""The project's normalised bureau feedback format (docs/bureau-feedback.md).

A bureau returns, for each file it received, the records it refused. Each bureau has its own shape (the
PBOC's 反馈报文, the Metro 2 bureaus' reject reports); a bureau-specific adapter outside this package turns
it into this one format, so the warehouse loads one shape: JSON Lines, UTF-8, one object per line.

Line 1, the header::

    {"type": "header", "format_version": "1", "bureau": "METRO2" | "PBOC",
     "submitted_file": "<file name as published in the outbox>", "period_end": "YYYY-MM-DD",
     "received_on": "YYYY-MM-DD", "records_submitted": <int>, "records_rejected": <int>}

Then one line per rejected record (a record may be rejected on several fields: one line each)::

    {"type": "rejection", "record_key": "<account id | PBOC AcctCode>", "field": "<field / element>",
     "error_code": "<bureau code>", "message": "<the bureau's text>"}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT_VERSION = "1"
FILES = "raw.bureau_feedback_files"  # one row per loaded feedback file (its header)
REJECTIONS = "raw.bureau_feedback_rejections"  # one row per rejected record and field


@dataclass(frozen=True)
class Bureau:
    code: str  # the header's bureau
    extract: str  # the outbox extract its files are published under (reporting.outbox_files.extract)
    state_table: str  # the publication's state: one row per account per publication of a period
    key_column: str  # the state column the feedback's record_key names
    code_pattern: str  # what an error code of this bureau looks like (a regex, whole string)
    code_help: str


METRO2 = Bureau(
    "METRO2", "metro2", "reporting.bureau_published", "account_id",
    r"^[A-Z0-9]{1,8}$", "1-8 upper-case letters or digits (the bureau's reject code)",
)  # fmt: skip
PBOC = Bureau(
    "PBOC", "pboc", "reporting.pboc_published", "acct_code",
    # a data-item error code (7107013: item 7107, error 013) or a CRC rule code (I2100H09, R2101214)
    r"^([0-9]{7}|[A-Z][0-9]{4}[A-Z0-9][0-9]{2})$", "7 digits (7107013) or a CRC rule code (I2100H09)",
)  # fmt: skip
BUREAUS = {b.code: b for b in (METRO2, PBOC)}

# the submitted file's name as each publication writes it (metro2/publication.py, pboc/spec.py file_name)
FILE_NAME = {
    "METRO2": re.compile(r"^metro2_(?P<period>[0-9]{8})(?:_c(?P<sequence>[0-9]{2}))?\.dat$"),
    "PBOC": re.compile(
        r"^pboc_r2_(?P<period>[0-9]{8})(?:_c(?P<sequence>[0-9]{2})_(?P<record_type>21[0-4]))?\.xml$"
    ),
}


def field_segments(bureau: str) -> dict[str, str]:
    """The fields a rejection may name, with the segment each belongs to: Metro 2 field names of the Base
    Segment and the appended segments (metro2/spec.py: amount_past_due -> base, J1.surname -> J1); PBOC
    element names (pboc/spec.py: AcctBal -> H; an element of two segments is the first one's unless
    qualified, J.AcctBal -> J)."""
    if bureau == METRO2.code:
        from creditwh.reporting.metro2.spec import BASE, SEGMENTS

        layouts = [("base", BASE), *SEGMENTS.items()]
        pairs = [(name, f.name) for name, layout in layouts for f in layout.fields if not f.is_filler]
    else:
        from creditwh.reporting.pboc.spec import SEGMENTS as PBOC_SEGMENTS

        pairs = [(s.code, e.name) for s in PBOC_SEGMENTS for e in s.elements]
    fields: dict[str, str] = {}
    for segment, name in pairs:
        fields.setdefault(name, segment)
        fields[f"{segment}.{name}"] = segment
    return fields


def state_record_types(record_type: str | None) -> tuple[str, ...] | None:
    """The PBOC state's record_types of an account sent in a file of `record_type` (None: any)."""
    return {
        "210": ("210",),
        "212": ("212/213",),
        "213": ("212/213", "213"),
        "214": ("214",),
    }.get(record_type or "")
