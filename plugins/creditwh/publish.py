"""Outbox publication: files are staged, checksummed, described by a JSON manifest and moved into place.

Layout (``settings.outbox_dir``)::

    outbox/<extract>/<as-of date>/<file>                  e.g. outbox/metro2/2026-01-31/metro2_20260131.dat
    outbox/<extract>/<as-of date>/<file>.manifest.json    one manifest per file
    outbox/.staging/<unique>/                              private work area (same filesystem), always removed

A reader takes a file only once its manifest is present: the data file is renamed into place first and the
manifest last, each with an atomic ``os.replace`` on the same filesystem, so no half-written file is ever
visible under its final name. Manifests carry no wall-clock value, so publishing the same inputs twice gives
the same bytes. A delivered file is never replaced by different content (``PublishConflict``): a changed
restatement goes out as a new correction file next to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import creditwh
from creditwh.config import Settings
from creditwh.errors import PipelineError

MANIFEST_SUFFIX = ".manifest.json"
STAGING_DIR = ".staging"


class PublishConflict(PipelineError):
    """A file with different content was already delivered under this name: restatements must go out as
    correction files, never by overwriting what readers may have taken."""


class PublishVerificationFailed(PipelineError):
    """A staged file no longer matches what was written (size, checksum or record count)."""


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def manifest_bytes(manifest: dict) -> bytes:
    """Deterministic JSON (sorted keys, fixed separators, trailing newline)."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n").encode()


def outbox_dir(settings: Settings, extract: str, as_of: dt.date) -> Path:
    return settings.outbox_dir / extract / f"{as_of:%Y-%m-%d}"


def read_manifest(path: Path) -> dict:
    return json.loads(Path(str(path) + MANIFEST_SUFFIX).read_text())


@dataclass
class StagedFile:
    name: str
    manifest: dict

    @property
    def manifest_name(self) -> str:
        return self.name + MANIFEST_SUFFIX


@dataclass
class Publication:
    """Files staged for one extract and as-of date; `commit` moves them into the outbox.

    Use as a context manager: the staging directory is removed on exit whatever happened, so a failed
    validation leaves nothing behind and the outbox untouched."""

    settings: Settings
    extract: str
    as_of: dt.date
    files: list[StagedFile] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.target_dir = outbox_dir(self.settings, self.extract, self.as_of)
        self.staging_dir = (
            self.settings.outbox_dir
            / STAGING_DIR
            / f"{self.extract}-{self.as_of:%Y%m%d}-{uuid.uuid4().hex[:12]}"
        )

    def __enter__(self) -> Self:
        self.staging_dir.mkdir(parents=True, exist_ok=False)
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.staging_dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        """Where to write file `name` while staged."""
        return self.staging_dir / name

    def add(
        self, name: str, *, records: int, control_totals: dict, kind: str, extra: dict | None = None
    ) -> dict:
        """Describe the staged file `name` (already written at `self.path(name)`) with its manifest."""
        digest, size = sha256_file(self.path(name))
        manifest = {
            "extract": self.extract,
            "file_name": name,
            "kind": kind,
            "as_of_date": self.as_of.isoformat(),
            "byte_size": size,
            "sha256": digest,
            "record_count": int(records),
            "control_totals": control_totals,
            "pipeline_version": creditwh.__version__,
            **(extra or {}),
        }
        self.path(name + MANIFEST_SUFFIX).write_bytes(manifest_bytes(manifest))
        self.files.append(StagedFile(name, manifest))
        return manifest

    def _verify(self, staged: StagedFile) -> None:
        digest, size = sha256_file(self.path(staged.name))
        if (digest, size) != (staged.manifest["sha256"], staged.manifest["byte_size"]):
            raise PublishVerificationFailed(
                f"{self.path(staged.name)}: staged file changed after its manifest was written "
                f"(sha256 {digest}, {size} bytes; manifest {staged.manifest['sha256']}, "
                f"{staged.manifest['byte_size']} bytes)"
            )

    def _check_no_conflict(self, staged: StagedFile) -> bool:
        """True when an identical file is already delivered (re-run), False when the name is free."""
        target = self.target_dir / staged.name
        if not target.exists():
            return False
        digest, _ = sha256_file(target)
        if digest != staged.manifest["sha256"]:
            raise PublishConflict(
                f"{target} was already delivered with sha256 {digest}; refusing to overwrite it with "
                f"{staged.manifest['sha256']} (publish a correction file instead)"
            )
        return True

    def commit(self) -> list[Path]:
        """Verify every staged file, then move data files and finally manifests into the outbox."""
        for staged in self.files:
            self._verify(staged)
        already = {s.name: self._check_no_conflict(s) for s in self.files}
        self.target_dir.mkdir(parents=True, exist_ok=True)
        published = []
        for staged in self.files:
            target = self.target_dir / staged.name
            if not already[staged.name]:
                os.replace(self.path(staged.name), target)
            published.append(target)
        for staged in self.files:  # manifests last: a file counts as delivered once its manifest exists
            os.replace(self.path(staged.manifest_name), self.target_dir / staged.manifest_name)
        _fsync_dir(self.target_dir)
        return published


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
