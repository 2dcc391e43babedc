"""Settings, read once from the environment. Everything the pipeline writes lives under one data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    source_schema: str = "cardsrc"  # schema of the card platform's tables in the SQL source database

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            data_dir=Path(os.environ.get("CREDITWH_DATA_DIR", REPO_ROOT / "var")).resolve(),
            source_schema=os.environ.get("CREDITWH_SOURCE_SCHEMA", "cardsrc"),
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


def settings() -> Settings:
    return Settings.from_env()
