"""The extracts tests' warehouse (fixtures in conftest.py): 300 simulated accounts from 2026-01-01, every
drop loaded, and dbt built (models, seeds and the customer snapshot the bureau models read the persons' data
as of the period end from: the reporting branch and its parents) on the dates the extracts need: month ends
31 Jan and 28 Feb (bureau periods) and 26-28 Feb (blacklist days), plus 30 Jan (not a period end: the bureau
model must not change). Built once per session; each test gets its own copy."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
START = dt.date(2026, 1, 1)
N_DAYS = 59  # through 2026-02-28
BUILD_DATES = [dt.date(2026, 1, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 26), dt.date(2026, 2, 27),
               dt.date(2026, 2, 28)]  # fmt: skip
SELECT = ["+rpt_bureau_accounts", "+rpt_bureau_j1", "+rpt_blacklist_candidates", "+dim_customer",
          "+rpt_pboc_card_accounts", "+rpt_bureau_purges"]
TEST_KEY = "test-only-dummy-key-for-the-extracts-tests"  # >= 32 bytes: shorter keys are refused

_ARTIFACTS = Path(tempfile.mkdtemp(prefix="creditwh-extracts-dbt-"))


def dbt_args(*args: str) -> list[str]:
    return [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(_ARTIFACTS / "target"), "--log-path", str(_ARTIFACTS / "logs"), "--quiet"]  # fmt: skip


def run_dbt(warehouse: Path, *args: str):
    from creditwh.transform.dbt import release_dbt_connection
    from dbt.cli.main import dbtRunner

    previous = os.environ.get("CREDITWH_WAREHOUSE_PATH")
    os.environ["CREDITWH_WAREHOUSE_PATH"] = str(warehouse)
    try:
        result = dbtRunner().invoke(dbt_args(*args))
    finally:
        release_dbt_connection()  # dbt-duckdb keeps the file open (locked) in this process otherwise
        if previous is None:
            os.environ.pop("CREDITWH_WAREHOUSE_PATH", None)
        else:
            os.environ["CREDITWH_WAREHOUSE_PATH"] = previous
    if not result.success:
        failures = []
        if result.result is not None and hasattr(result.result, "results"):
            failures = [f"{r.node.unique_id}: {r.message}" for r in result.result.results
                        if str(r.status) not in ("success", "pass", "skipped")]  # fmt: skip
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or failures}")
    return result


def build_day(warehouse: Path, day: dt.date) -> None:
    run_dbt(warehouse, "build", "--select", *SELECT, "--resource-type", "model", "--resource-type", "seed",
            "--resource-type", "snapshot",
            "--exclude-resource-type", "unit_test", "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}')  # fmt: skip


def rebuild_candidates(warehouse: Path, day: dt.date) -> None:
    """Rebuild the day's blacklist candidates from marts.fct_account_daily (after a test restated the fact),
    as the nightly dbt build would."""
    run_dbt(warehouse, "run", "--select", "rpt_blacklist_candidates", "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}')
