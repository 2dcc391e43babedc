"""A simulated book with repayment plans and charges over 100 days, its plan and fee marts built once per
session (plan_build.py says how)."""

from __future__ import annotations

import datetime as dt

import pytest
from plan_build import DAILY_DAYS, DAYS, START, Book, build_plans, sim_config
from warehouse_build import warehouse_env


@pytest.fixture(scope="session")
def plan_book(tmp_path_factory) -> Book:
    from creditwh.config import Settings
    from creditwh.load import load_drop
    from creditwh.simulate import simulate_to_landing

    data_dir = tmp_path_factory.mktemp("plan_book")
    settings = Settings(data_dir=data_dir)
    drops = simulate_to_landing(sim_config(), DAYS, settings.landing_dir)
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    with warehouse_env(settings.warehouse_path):
        for day, drop in zip(days[:-DAILY_DAYS], drops[:-DAILY_DAYS], strict=True):
            load_drop(settings.warehouse_path, drop, day, accept=True)
        build_plans(data_only=True)
        for day, drop in zip(days[-DAILY_DAYS:], drops[-DAILY_DAYS:], strict=True):
            load_drop(settings.warehouse_path, drop, day, accept=True)
            build_plans(day, data_only=day != days[-1])
        yield Book(settings.warehouse_path, data_dir, days)
