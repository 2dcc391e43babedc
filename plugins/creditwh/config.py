"""Settings, read once from the environment. Everything the pipeline writes lives under one data directory.

The data directory holds clear personal data (landing drops, `restricted.*` in the warehouse, the Metro 2
file), so what the pipeline creates there is private: `settings()`, which every entry point calls first
(the CLI's commands, every DAG task), sets the process's umask so new files are readable by their owner
only (0600, directories 0700), or also by the group named in CREDITWH_SHARED_GROUP (0660 / 2770: the data
directory is given to that group with the set-group-id bit, so everything created below it inherits it).
"""

from __future__ import annotations

import grp
import logging
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from creditwh.errors import PipelineError

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_GROUP_ENV = "CREDITWH_SHARED_GROUP"
PRIVATE_UMASK = 0o077  # owner only
GROUP_UMASK = 0o007  # owner and the shared group

log = logging.getLogger(__name__)


class SettingsError(PipelineError):
    """A setting names something that does not exist (retrying will not help)."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    source_schema: str = "cardsrc"  # schema of the card platform's tables in the SQL source database
    shared_group: str | None = None  # group allowed to read (and deliver into) the data directory

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            data_dir=Path(os.environ.get("CREDITWH_DATA_DIR", REPO_ROOT / "var")).resolve(),
            source_schema=os.environ.get("CREDITWH_SOURCE_SCHEMA", "cardsrc"),
            shared_group=os.environ.get(SHARED_GROUP_ENV) or None,
        )

    @cached_property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @cached_property
    def warehouse_path(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @cached_property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @cached_property
    def data_docs_dir(self) -> Path:
        return self.data_dir / "data_docs"

    def drop_dir(self, business_date) -> Path:
        return self.landing_dir / f"{business_date:%Y-%m-%d}"


def protect_data(s: Settings) -> None:
    """Make everything this process creates private (umask), and the data directory itself too: it is
    created 0700 (2770 with a shared group) and tightened when it exists with wider permissions."""
    gid = _group_id(s.shared_group) if s.shared_group else None
    os.umask(PRIVATE_UMASK if gid is None else GROUP_UMASK)
    s.data_dir.mkdir(parents=True, exist_ok=True)
    mode = 0o700 if gid is None else 0o2770
    try:
        if gid is not None and s.data_dir.stat().st_gid != gid:
            os.chown(s.data_dir, -1, gid)
        if stat.S_IMODE(s.data_dir.stat().st_mode) != mode:
            os.chmod(s.data_dir, mode)
        for path in (s.warehouse_path, Path(f"{s.warehouse_path}.wal")):  # created before this release
            if path.exists() and stat.S_IMODE(path.stat().st_mode) & (0o077 if gid is None else 0o007):
                os.chmod(path, 0o600 if gid is None else 0o660)
    except PermissionError as exc:  # not the owner (e.g. a volume root): the umask still applies below it
        log.warning("cannot tighten the permissions of %s: %s", exc.filename, exc.strerror)


def _group_id(name: str) -> int:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        raise SettingsError(f"{SHARED_GROUP_ENV}={name!r}: no such group on this host") from None


def settings() -> Settings:
    """The settings of an entry point (CLI command, DAG task): read them and make new files private."""
    s = Settings.from_env()
    protect_data(s)
    return s
