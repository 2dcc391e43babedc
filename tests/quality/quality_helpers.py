"""Helpers shared by the quality tests."""

from __future__ import annotations

import duckdb
from creditwh.config import Settings


def execute(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def outbox_snapshot(settings: Settings) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(settings.outbox_dir.iterdir())}
