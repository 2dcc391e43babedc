"""Metro 2 (426-character) bureau file: layouts (`spec`), writer, reader and validator.

write_metro2(con, base, j1, header, out_path) -> Metro2WriteResult
read_metro2(path) -> dict
validate_metro2(path, previous_path=None) -> Metro2Report   (report.raise_for_errors())
"""

from creditwh.reporting.metro2.reader import read_metro2
from creditwh.reporting.metro2.validator import (
    Metro2Finding,
    Metro2Report,
    Metro2ValidationError,
    validate_metro2,
)
from creditwh.reporting.metro2.writer import Metro2Header, Metro2WriteResult, write_metro2

__all__ = [
    "Metro2Finding",
    "Metro2Header",
    "Metro2Report",
    "Metro2ValidationError",
    "Metro2WriteResult",
    "read_metro2",
    "validate_metro2",
    "write_metro2",
]
