"""Reading and editing PBOC message files in tests, independently of the writer's SQL: ElementTree for
reading, plain string edits of one record line for crafting bad records."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

HEADER_LINES = 4  # XML declaration, comment, <Message>, <Header>


def read_records(path: Path) -> tuple[dict[str, str], list[ET.Element]]:
    """(header fields, record elements) of a message file."""
    root = ET.parse(path).getroot()  # noqa: S314 - our own test output
    header = {child.tag: child.text or "" for child in root.find("Header")}
    return header, [child for child in root if child.tag != "Header"]


def segment_values(record: ET.Element, tag: str) -> dict[str, str] | None:
    node = record.find(tag)
    return None if node is None else {child.tag: child.text or "" for child in node}


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def write_lines(path: Path, content: list[str]) -> Path:
    """Write `content` back, with the header's RecordCount matching the records it now holds."""
    records = len(content) - HEADER_LINES - 2  # the closing </Message> line and the final empty string
    content = [*content]
    content[3] = re.sub(
        r"<RecordCount>\d+</RecordCount>", f"<RecordCount>{records}</RecordCount>", content[3]
    )
    path.write_text("\n".join(content), encoding="utf-8")
    return path


def set_element(line: str, segment: str, element: str, value: str | None) -> str:
    """The record line with `element` of `segment` set to `value` (added at the segment's end when absent,
    removed when value is None)."""
    start, end = line.index(f"<{segment}>"), line.index(f"</{segment}>")
    body = line[start:end]
    pattern = re.compile(f"<{element}>[^<]*</{element}>")
    new = "" if value is None else f"<{element}>{value}</{element}>"
    body = pattern.sub(new, body, count=1) if pattern.search(body) else body + new
    return line[:start] + body + line[end:]


def get_element(line: str, segment: str, element: str) -> str | None:
    start, end = line.index(f"<{segment}>"), line.index(f"</{segment}>")
    found = re.search(f"<{element}>([^<]*)</{element}>", line[start:end])
    return found.group(1) if found else None
