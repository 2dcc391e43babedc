"""Build a warehouse the way the DAG does: simulate -> load -> `dbt build --vars {business_date}` per day.

Used by the session fixture in conftest.py and by benchmarks/dbt_daily_build.py. dbt runs in-process
through dbtRunner; CREDITWH_WAREHOUSE_PATH selects the DuckDB file.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

# Selector (dbt_project/selectors.yml) for the core models alone, without the risk marts and reporting
# models other teams develop in the same project.
CORE_SELECTOR = "core"


@dataclass
class BuiltWarehouse:
    warehouse_path: Path
    landing_dir: Path
    business_dates: list[dt.date]
    seconds_per_day: list[float] = field(default_factory=list)


@contextlib.contextmanager
def scoped_env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration only, then restore (or remove) them: dbt's profile reads
    the warehouse path and the PostgreSQL database from the environment, and one test session points it
    at several warehouses."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def warehouse_env(path: Path) -> contextlib.AbstractContextManager[None]:
    """Point dbt's profile at the DuckDB file `path` for the duration only."""
    return scoped_env(CREDITWH_WAREHOUSE_PATH=str(path))


def copy_warehouse(source: Path, dest: Path) -> Path:
    """Copy a built DuckDB warehouse for a test to change: checkpointed first, through a connection of the
    same configuration as dbt's in-process one (which may still hold the file open), so the copy does not
    miss what is still in the write-ahead log."""
    import duckdb

    with duckdb.connect(str(source)) as con:
        con.execute("checkpoint")
    shutil.copyfile(source, dest)
    return dest


_MANIFESTS: dict[tuple, object] = {}
# Private target/log directories: other processes (the DAG, other test sessions) use the same project dir.
_ARTIFACTS = Path(tempfile.mkdtemp(prefix="creditwh-dbt-artifacts-"))
atexit.register(shutil.rmtree, _ARTIFACTS, ignore_errors=True)


def _common_args(target: str) -> list[str]:
    return ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target", target,
            "--target-path", str(_ARTIFACTS / target), "--log-path", str(_ARTIFACTS / "logs"), "--quiet"]


def parsed_manifest(target: str):
    """Parse the project once per target and process; later runs reuse it (vars are applied at run time,
    so one manifest serves every business date, as in the DAG's dbt task)."""
    from dbt.cli.main import dbtRunner

    # The target database and schema are resolved at parse time: a manifest parsed for one test's
    # PostgreSQL database, or for a DuckDB file of another name (DuckDB's database is the file's stem),
    # must not be reused for another's.
    duckdb_database = Path(os.environ.get("CREDITWH_WAREHOUSE_PATH", "")).stem
    key = (target, duckdb_database, os.environ.get("CREDITWH_PG_DBNAME"), os.environ.get("CREDITWH_PG_SCHEMA"))
    if key not in _MANIFESTS:
        result = dbtRunner().invoke(["parse", *_common_args(target)])
        if not result.success:
            raise RuntimeError(f"dbt parse failed: {result.exception}")
        _MANIFESTS[key] = result.result
    return _MANIFESTS[key]


def run_dbt(args: list[str], *, target: str = "duckdb") -> None:
    """Run one dbt command in-process; raise with dbt's own error when any node failed."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner(manifest=parsed_manifest(target)).invoke([*args, *_common_args(target)])
    if not result.success:
        failures = []
        if result.result is not None and hasattr(result.result, "results"):
            failures = [f"{r.node.unique_id}: {r.status} {r.message}" for r in result.result.results
                        if str(r.status) not in ("success", "pass", "skipped")]
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or failures}")


# `dbt build` restricted to what writes data (no data or unit tests): the test fixture's fast path for
# days between fully tested ones.
DATA_ONLY = ("--resource-type", "seed", "--resource-type", "model", "--resource-type", "snapshot")


def build_day(business_date: dt.date, *, target: str = "duckdb", selector: str | None = None,
              data_only: bool = False) -> None:  # fmt: skip
    """What the DAG runs for one business date: `dbt build --vars '{business_date: "YYYY-MM-DD"}'`."""
    args = ["build", "--vars", f'{{business_date: "{business_date:%Y-%m-%d}"}}']
    if data_only:
        args += list(DATA_ONLY)
    if selector:
        args += ["--selector", selector]
    run_dbt(args, target=target)


def build_warehouse(data_dir: Path, *, n_accounts: int, n_days: int, start: dt.date, seed: int = 7,
                    selector: str | None = None, fully_tested=lambda day: True) -> BuiltWarehouse:  # fmt: skip
    """Simulate n_days of drops, then load and dbt-build them one business date at a time, in order.
    Days for which fully_tested(day) is false skip the data/unit tests (models, seeds, snapshots only)."""
    from creditwh.load import load_drop
    from creditwh.simulate import SimConfig, simulate_to_landing

    landing = data_dir / "landing"
    drops = simulate_to_landing(SimConfig(n_accounts=n_accounts, start_date=start, seed=seed), n_days, landing)
    warehouse = data_dir / "warehouse.duckdb"
    os.environ["CREDITWH_WAREHOUSE_PATH"] = str(warehouse)
    built = BuiltWarehouse(warehouse, landing, [start + dt.timedelta(days=i) for i in range(n_days)])
    for day, drop in zip(built.business_dates, drops, strict=True):
        load_drop(warehouse, drop, day, accept=True)
        started = time.perf_counter()
        build_day(day, selector=selector, data_only=not fully_tested(day))
        built.seconds_per_day.append(time.perf_counter() - started)
    return built
