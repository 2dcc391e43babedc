"""Outbox publication: files are staged, checksummed, described by a JSON manifest and moved into place.

Layout (``settings.outbox_dir``)::

    outbox/<extract>/<as-of date>/<file>                  e.g. outbox/metro2/2026-01-31/metro2_20260131.dat
    outbox/<extract>/<as-of date>/<file>.manifest.json    one manifest per file
    outbox/.staging/<unique>/                              private work area (same filesystem)

A reader takes a file only once its manifest is present: the data file is renamed into place first and the
manifest last, each with an atomic ``os.replace`` on the same filesystem, so no half-written file is ever
visible under its final name. Manifests carry no wall-clock value, so publishing the same inputs twice gives
the same bytes. A delivered file is never replaced by different content (``PublishConflict``): a changed
restatement goes out as a new correction file next to it.

Crash safety (a two-phase delivery with the warehouse as the record). A publishing task:

1. stages its files and ``seal``s them: fsynced, and one row per file in ``reporting.outbox_files``
   (``delivered = false``, naming the staging folder) inside the task's own warehouse transaction, beside
   the extract's state rows (what was published);
2. commits that transaction, then ``deliver``s: moves the files into the outbox and marks the rows delivered.

A process killed anywhere leaves either nothing recorded (the transaction never committed: the staging
folder is an orphan, swept by ``recover``) or a sealed publication whose staging folder survives: the next
publication's ``recover`` finishes moving exactly those bytes, so the outbox always ends up matching
``reporting.*`` and a restated day afterwards goes out as a correction, not as a conflict.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import creditwh
from creditwh.checksums import FileDigest, sha256_file
from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.faultpoint import fault_point

log = logging.getLogger(__name__)

MANIFEST_SUFFIX = ".manifest.json"
STAGING_DIR = ".staging"
DELIVERIES = "reporting.outbox_files"
# Steps a publication can be killed at (creditwh.faultpoint; tests/reporting/test_publish_crash.py).
CRASH_POINTS = ("staged", "sealed", "committed", "data_moved", "manifests_moved")


class PublishConflict(PipelineError):
    """A file with different content was already delivered under this name: restatements must go out as
    correction files, never by overwriting what readers may have taken."""


class PublishVerificationFailed(PipelineError):
    """A staged file no longer matches what was written (size, checksum or record count)."""


class PublishRecoveryFailed(PipelineError):
    """A sealed publication can no longer be delivered (its staged files are gone or changed)."""



def manifest_bytes(manifest: dict) -> bytes:
    """Deterministic JSON (sorted keys, fixed separators, trailing newline)."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n").encode()


def outbox_dir(settings: Settings, extract: str, as_of: dt.date) -> Path:
    return settings.outbox_dir / extract / f"{as_of:%Y-%m-%d}"


def read_manifest(path: Path) -> dict:
    return json.loads(Path(str(path) + MANIFEST_SUFFIX).read_text())


def ensure_deliveries_table(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {DELIVERIES} (
        extract VARCHAR NOT NULL, as_of_date DATE NOT NULL, file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, byte_size BIGINT NOT NULL, staging_dir VARCHAR NOT NULL,
        delivered BOOLEAN NOT NULL, PRIMARY KEY (extract, as_of_date, file_name))""")


@dataclass
class StagedFile:
    name: str
    manifest: dict

    @property
    def manifest_name(self) -> str:
        return self.name + MANIFEST_SUFFIX


@dataclass
class Publication:
    """Files staged for one extract and as-of date; `commit` (or `seal` + `deliver`) moves them into the outbox.

    Use as a context manager: the staging directory is removed on exit, so a failed validation leaves
    nothing behind and the outbox untouched; a sealed but undelivered publication keeps it for `recover`."""

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
        self._sealed = self._delivered = False

    def __enter__(self) -> Self:
        self.staging_dir.mkdir(parents=True, exist_ok=False)
        return self

    def __exit__(self, *exc) -> None:
        if self._sealed and not self._delivered:
            return  # the warehouse may hold the sealed rows: the next publication delivers or sweeps it
        shutil.rmtree(self.staging_dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        """Where to write file `name` while staged."""
        return self.staging_dir / name

    def add(
        self,
        name: str,
        *,
        records: int,
        control_totals: dict,
        kind: str,
        extra: dict | None = None,
        digest: FileDigest | None = None,
    ) -> dict:
        """Describe the staged file `name` (already written at `self.path(name)`) with its manifest.
        `digest`: the file's SHA-256 and size when the writer computed them as it wrote the file at that
        path (a GB file is then not read again here; `seal` and `commit` still verify the bytes)."""
        digest, size = digest or sha256_file(self.path(name))
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

    def seal(self, con) -> None:
        """Verify and fsync the staged files and record them as pending deliveries in the caller's open
        warehouse transaction (commit it with the extract's state, then call `deliver`)."""
        fault_point("staged")
        for staged in self.files:
            self._verify(staged)
            _check_no_conflict(self.target_dir / staged.name, staged.manifest["sha256"])
            for name in (staged.name, staged.manifest_name):
                _fsync_file(self.path(name))
        _fsync_dir(self.staging_dir)
        ensure_deliveries_table(con)
        con.executemany(
            f"INSERT INTO {DELIVERIES} VALUES (?, ?, ?, ?, ?, ?, false)",
            [[self.extract, self.as_of, s.name, s.manifest["sha256"], s.manifest["byte_size"],
              self.staging_dir.name] for s in self.files],
        )  # fmt: skip
        self._sealed = True
        fault_point("sealed")

    def deliver(self, con) -> list[Path]:
        """After the warehouse transaction holding `seal`'s rows committed: move the files into the outbox
        and mark them delivered."""
        fault_point("committed")
        published = self.commit()
        fault_point("manifests_moved")
        _mark_delivered(con, self.extract, self.as_of, self.staging_dir.name)
        self._delivered = True
        return published

    def commit(self) -> list[Path]:
        """Verify every staged file, then move data files and finally manifests into the outbox."""
        for staged in self.files:
            self._verify(staged)
        for staged in self.files:
            _check_no_conflict(self.target_dir / staged.name, staged.manifest["sha256"])
        _move_into_place(self.staging_dir, self.target_dir, [s.name for s in self.files])
        return [self.target_dir / s.name for s in self.files]


def _check_no_conflict(target: Path, sha256: str) -> None:
    """A delivered file (its manifest present) with other bytes may not be replaced. A data file without
    its manifest was never delivered (a crash between the two renames) and is simply replaced."""
    if not target.exists() or not Path(str(target) + MANIFEST_SUFFIX).exists():
        return
    digest, _ = sha256_file(target)
    if digest != sha256:
        raise PublishConflict(
            f"{target} was already delivered with sha256 {digest}; refusing to overwrite it with "
            f"{sha256} (publish a correction file instead)"
        )


def _move_into_place(staging_dir: Path, target_dir: Path, names: list[str]) -> None:
    """Data files first, manifests last; a file already moved (a resumed delivery) is left as it is."""
    target_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", MANIFEST_SUFFIX):
        for name in names:
            source = staging_dir / (name + suffix)
            if source.exists():
                os.replace(source, target_dir / (name + suffix))
        if not suffix:
            fault_point("data_moved")
    _fsync_dir(target_dir)


def _mark_delivered(con, extract: str, as_of: dt.date, staging_name: str) -> None:
    con.execute(
        f"UPDATE {DELIVERIES} SET delivered = true WHERE extract = ? AND as_of_date = ? AND staging_dir = ?",
        [extract, as_of, staging_name],
    )


def recover(con, settings: Settings) -> list[Path]:
    """Finish every sealed, undelivered publication and sweep orphan staging folders. Run it (outside a
    transaction) before a new publication, holding the warehouse (one writer: nothing else publishes)."""
    ensure_deliveries_table(con)
    pending = con.execute(
        f"""SELECT extract, as_of_date, staging_dir, list(file_name ORDER BY file_name),
                   list(sha256 ORDER BY file_name)
            FROM {DELIVERIES} WHERE NOT delivered GROUP BY ALL ORDER BY as_of_date, staging_dir"""
    ).fetchall()
    staging_root = settings.outbox_dir / STAGING_DIR
    delivered = []
    for extract, as_of, staging_name, names, digests in pending:
        staging_dir, target_dir = staging_root / staging_name, outbox_dir(settings, extract, as_of)
        for name, digest in zip(names, digests, strict=True):
            _check_recoverable(staging_dir, target_dir, name, digest)
        _move_into_place(staging_dir, target_dir, names)
        _mark_delivered(con, extract, as_of, staging_name)
        delivered += [target_dir / n for n in names]
        log.warning("%s %s: finished an interrupted delivery: %s", extract, as_of, ", ".join(names))
    if staging_root.exists():
        for orphan in staging_root.iterdir():  # no pending row names them any more
            shutil.rmtree(orphan, ignore_errors=True)
            log.warning("removed the staging folder of an interrupted publication: %s", orphan)
    return delivered


def _check_recoverable(staging_dir: Path, target_dir: Path, name: str, digest: str) -> None:
    """The sealed bytes are still at hand: staged (and not contradicted by a delivered file), or delivered."""
    staged, target = staging_dir / name, target_dir / name
    if staged.exists():
        if sha256_file(staged).sha256 != digest:
            raise PublishRecoveryFailed(
                f"{staged}: sha256 differs from the sealed publication's {digest} ({DELIVERIES}); "
                "the staged file was changed after it was sealed"
            )
        _check_no_conflict(target, digest)
    elif not target.exists() or sha256_file(target).sha256 != digest:
        raise PublishRecoveryFailed(
            f"{target}: recorded in {DELIVERIES} as sealed with sha256 {digest} (staging folder "
            f"{staging_dir}), but the staged copy is gone and the outbox does not hold those bytes"
        )
    manifest = name + MANIFEST_SUFFIX
    if not (staging_dir / manifest).exists() and not (target_dir / manifest).exists():
        raise PublishRecoveryFailed(f"{target}: its manifest is missing from staging and outbox")


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
