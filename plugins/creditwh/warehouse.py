"""Opening the warehouse file: the one home of DuckDB's resource settings for the nightly run.

DuckDB sizes its buffer pool at 80% of the machine's memory by default. The nightly run shares its machine
(the scheduler, the GX gates, the bureau validator's own database) and has a peak-memory budget, so the
connections that do the heavy work — the raw load, the dbt build (through its profile, which reads the same
setting from the environment) and the publications — cap it, and DuckDB spills what does not fit to its
temp directory beside the warehouse file instead of growing (the PBOC publication itself keeps only hashes
while staging and sorts its records' text in bounded batches: reporting/pboc/publication.py, writer.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from creditwh.config import SettingsError

MEMORY_LIMIT_ENV = "CREDITWH_DUCKDB_MEMORY_LIMIT"
# half of the machine's memory: the rest is for the process's own objects and what runs beside it
DEFAULT_MEMORY_LIMIT = "50%"


def memory_limit() -> str:
    """DuckDB's memory_limit: a size ('12GB') or a share of the machine's memory ('50%')."""
    return os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT


def connect(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file with the run's memory cap (a SET, not a connect-time config:
    DuckDB refuses a second in-process connection to one file whose config differs from the first's)."""
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        con.execute("SET memory_limit = ?", [memory_limit()])
    except duckdb.Error as e:
        con.close()
        raise SettingsError(f"{MEMORY_LIMIT_ENV}={memory_limit()!r} is not a DuckDB memory limit: {e}") from e
    return con
