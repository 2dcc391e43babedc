"""A simulated collections book over three months and a bit, its KPI marts built once per session
(kpi_build.py says how)."""

from __future__ import annotations

import datetime as dt

import pytest
from kpi_build import ACCOUNTS, DAILY_DAYS, DAYS, START, Book, build_kpis
from warehouse_build import warehouse_env


@pytest.fixture(scope="session")
def kpi_book(tmp_path_factory) -> Book:
    from creditwh.config import Settings
    from creditwh.load import load_drop
    from creditwh.simulate import SimConfig, simulate_to_landing

    data_dir = tmp_path_factory.mktemp("collection_kpis")
    settings = Settings(data_dir=data_dir)
    drops = simulate_to_landing(SimConfig(n_accounts=ACCOUNTS, start_date=START, seed=11), DAYS,
                                settings.landing_dir)  # fmt: skip
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    with warehouse_env(settings.warehouse_path):
        for day, drop in zip(days[:-DAILY_DAYS], drops[:-DAILY_DAYS], strict=True):
            load_drop(settings.warehouse_path, drop, day, accept=True)
        build_kpis(data_only=True)
        for day, drop in zip(days[-DAILY_DAYS:], drops[-DAILY_DAYS:], strict=True):
            load_drop(settings.warehouse_path, drop, day, accept=True)
            build_kpis(day, data_only=day != days[-1])
        yield Book(settings.warehouse_path, data_dir, days)
