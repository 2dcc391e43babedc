"""A small real warehouse (3 loaded days) built once per session; each test gets its own copy of the file."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from creditwh.config import Settings
from creditwh.load import load_drop

START = dt.date(2026, 1, 1)
DAYS = 3


def _write_landing(landing: Path) -> list[dt.date]:
    from creditwh.simulate import SimConfig, simulate_to_landing

    simulate_to_landing(SimConfig(n_accounts=400, start_date=START, seed=11), DAYS, landing)
    return [START + dt.timedelta(days=k) for k in range(DAYS)]


@pytest.fixture(scope="session")
def loaded_warehouse(tmp_path_factory) -> tuple[Path, list[dt.date]]:
    """Raw layer of DAYS business dates, loaded by the real loader (read-only: tests copy it)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("quality-session"))
    dates = _write_landing(settings.landing_dir)
    for day in dates:
        load_drop(settings.warehouse_path, settings.drop_dir(day), day, accept=True)
    return settings.warehouse_path, dates


@pytest.fixture
def settings(tmp_path, loaded_warehouse) -> Settings:
    """Private data dir with a copy of the session warehouse and an outbox holding an earlier output."""
    source, _ = loaded_warehouse
    settings = Settings(data_dir=tmp_path)
    shutil.copy(source, settings.warehouse_path)
    settings.outbox_dir.mkdir()
    (settings.outbox_dir / "metro2_20251231.txt").write_text("previous good extract\n")
    return settings


@pytest.fixture
def dates(loaded_warehouse) -> list[dt.date]:
    return loaded_warehouse[1]
