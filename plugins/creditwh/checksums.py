"""The one file checksum: SHA-256 and size of a file's bytes, read in chunks (drops and extracts can be GBs)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

CHUNK = 1 << 20


class FileDigest(NamedTuple):
    sha256: str  # 64 lowercase hex digits
    size: int  # bytes


def sha256_file(path: Path | str) -> FileDigest:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileDigest(digest.hexdigest(), size)
