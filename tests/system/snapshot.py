"""Deterministic snapshots of the warehouse and the outbox, to prove a re-run changes nothing.

Each table is written sorted (ORDER BY ALL) to a CSV by DuckDB itself, minus columns that record
*when* something ran (load/build timestamps), and hashed; outbox files are hashed as they are.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

SNAPSHOT_SCHEMAS = ("raw", "marts")
# Columns that legitimately differ between two runs of the same input: when a row was loaded/built
# (also dbt's snapshot bookkeeping). tests/load reads the same rule.
RUN_TIME_COLUMN = re.compile(
    r"^(_?(loaded|accepted|rolled_back|checked|built|created|updated|inserted|processed|refreshed|run_started"
    r"|generated)_at|dbt_updated_at)$"
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def warehouse_snapshot(warehouse: Path, out_dir: Path) -> dict[str, str]:
    """Write every base table of SNAPSHOT_SCHEMAS sorted to out_dir/<schema>.<table>.csv; return their sha256."""
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema in (select unnest(?)) order by all",
            [list(SNAPSHOT_SCHEMAS)],
        ).fetchall()
        result = {}
        for schema, table in tables:
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [schema, table],
                ).fetchall()
                if not RUN_TIME_COLUMN.match(name)
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            target = out_dir / f"{schema}.{table}.csv"
            con.execute(
                f'copy (select {select} from "{schema}"."{table}" order by all) to \'{target}\' (header)'
            )
            result[f"{schema}.{table}"] = _sha256(target)
        return result
    finally:
        con.close()


def outbox_snapshot(outbox: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under the outbox (empty when there is no outbox yet)."""
    if not outbox.exists():
        return {}
    return {str(p.relative_to(outbox)): _sha256(p) for p in sorted(outbox.rglob("*")) if p.is_file()}
