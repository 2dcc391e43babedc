"""Shared fixtures: a small simulated landing zone, written once per session and copied per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Airflow reads its configuration at import: point it at a private home before anything imports it.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="creditwh-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}"
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(Path(__file__).resolve().parents[1] / "dags")
# dbt's target/ (compiled SQL, the partial-parse cache) and logs private to this test process: parallel test
# workers, and a developer's own runs, share the project directory.
_DBT_ARTIFACTS = Path(tempfile.mkdtemp(prefix="creditwh-dbt-"))
os.environ["DBT_TARGET_PATH"] = str(_DBT_ARTIFACTS / "target")
os.environ["DBT_LOG_PATH"] = str(_DBT_ARTIFACTS / "logs")
# Dummy PBOC institution codes (creditwh.reporting.pboc.reporter; real deployments set their own).
os.environ.setdefault("CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE", "TESTPBOC000001")
os.environ.setdefault("CREDITWH_PBOC_MANAGEMENT_ORG_CODE", "TESTPBOC000002")
# A fixed dummy key for the blacklist's keyed hashes and dummy Metro 2 reporter settings (real
# deployments set their own; nothing has a default in code).
os.environ.setdefault("CREDITWH_BLACKLIST_KEY", "test-only-blacklist-key-not-a-secret")
for _name, _value in {"IDENTIFICATION_NUMBER": "TESTFURN01", "REPORTER_NAME": "TEST FURNISHER",
                      "REPORTER_ADDRESS": "1 TEST STREET", "REPORTER_TELEPHONE_NUMBER": "5550100000",
                      "EQUIFAX_PROGRAM_IDENTIFIER": "TESTEQFX01"}.items():  # fmt: skip
    os.environ.setdefault(f"CREDITWH_BUREAU_{_name}", _value)
os.environ.setdefault("CREDITWH_BLACKLIST_FURNISHER_ID", "TESTFURN01")
# No BI serving database unless a test configures one (tests/serving): the daily task skips, saying so.
os.environ.setdefault("CREDITWH_SERVING", "off")

import pytest
from sim_dates import SMALL_DAYS, START


@pytest.fixture(scope="session")
def small_landing(tmp_path_factory) -> Path:
    """Four days of drops for a 400-account book (read-only: copy before changing anything)."""
    from creditwh.simulate import SimConfig, simulate_to_landing

    landing = tmp_path_factory.mktemp("small") / "landing"
    simulate_to_landing(SimConfig(n_accounts=400, start_date=START, seed=11), SMALL_DAYS, landing)
    return landing


@pytest.fixture
def data_dir(tmp_path, small_landing, monkeypatch) -> Path:
    """A private data directory holding a copy of the small landing zone; CREDITWH_DATA_DIR points at it."""
    shutil.copytree(small_landing, tmp_path / "landing")
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated SQLite metadata database for dag.test() runs (once per session)."""
    from creditwh import airflow_env

    airflow_env.migrate()
    return _AIRFLOW_HOME


# Parallel runs (./dev test: pytest-xdist, --dist loadgroup): the tests that share an expensive session
# fixture run in one worker, so it is built once; every other test stays with its module (module fixtures).
_SHARED_BUILDS = ("extracts_warehouse", "risk_warehouse", "dbt_warehouse", "kpi_book", "plan_book", "loaded_warehouse",
                  "served_run", "airflow_cluster", "book_45_days")  # fmt: skip


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into groups
def pytest_collection_modifyitems(items):
    for item in items:
        shared = next((name for name in _SHARED_BUILDS if name in item.fixturenames), None)
        item.add_marker(pytest.mark.xdist_group(shared or item.nodeid.split("::")[0]))
