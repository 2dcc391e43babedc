"""Fixtures of the extracts tests: the simulated warehouse (built once per session, see
extracts_warehouse.py) and a private copy of it per test."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from extracts_warehouse import BUILD_DATES, N_DAYS, START, TEST_KEY, build_day


@pytest.fixture(scope="session")
def extracts_warehouse(tmp_path_factory) -> Path:
    """Data dir (landing + warehouse.duckdb) after the builds; read-only for tests (use extracts_data_dir)."""
    from creditwh.config import Settings
    from creditwh.load import load_drop
    from creditwh.load.acceptance import record_marts_verdict
    from creditwh.quality.gate import GateResult
    from creditwh.simulate import SimConfig, simulate_to_landing

    root = tmp_path_factory.mktemp("extracts")
    drops = simulate_to_landing(SimConfig(n_accounts=300, start_date=START, seed=23), N_DAYS, root / "landing")
    warehouse = root / "warehouse.duckdb"
    for i, drop in enumerate(drops):
        load_drop(warehouse, drop, START + dt.timedelta(days=i), accept=True)
    for day in BUILD_DATES:
        build_day(warehouse, day)
        # only the reporting branch is built, so the marts gate cannot run: record it as passed
        record_marts_verdict(Settings(data_dir=root), GateResult("marts_gate", day))
    shutil.rmtree(root / "landing")  # the extracts only read the warehouse
    return root


@pytest.fixture
def extracts_data_dir(tmp_path, extracts_warehouse, monkeypatch) -> Path:
    """A private copy of the built warehouse; CREDITWH_DATA_DIR and a dummy HMAC key point at it."""
    data_dir = tmp_path / "data"
    shutil.copytree(extracts_warehouse, data_dir)
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", TEST_KEY)
    return data_dir


@pytest.fixture
def settings(extracts_data_dir):
    from creditwh.config import Settings

    return Settings.from_env()
