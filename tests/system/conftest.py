"""One Airflow cluster (the compose components as plain processes) shared by the system tests.

The data directory holds simulated drops for START .. START + max(2, CREDITWH_BACKFILL_DAYS) - 1. The
real-scheduler test triggers the first two dates; the backfill test replays the whole range. They run in
that order (see pytest_collection_modifyitems) so the dates are processed oldest first, as in production.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from .alert_inbox import AlertInbox
from .cluster import AirflowCluster

START = dt.date(2026, 1, 1)
N_ACCOUNTS = 300
BACKFILL_DAYS = int(os.environ.get("CREDITWH_BACKFILL_DAYS", "3"))
TRIGGER_DAYS = 2
_ORDER = ("test_real_scheduler", "test_backfill", "test_deadline")
# Runs past this many minutes after being queued raise the late-run alert. Short here so the deadline test
# sees it fire; every other run is quick enough to finish first, or its alert is simply also delivered.
DEADLINE_MINUTES = 1.5


def business_dates(n: int) -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range(n)]


def _postgres_up() -> bool:
    return (
        shutil.which("pg_isready") is None
        or subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0
    )


def pytest_collection_modifyitems(items):
    """Run the trigger test before the backfill test, keeping every other test where it was."""
    positions = [i for i, item in enumerate(items) if item.module.__name__.rsplit(".", 1)[-1] in _ORDER]
    ordered = sorted(
        (items[i] for i in positions), key=lambda it: _ORDER.index(it.module.__name__.rsplit(".", 1)[-1])
    )
    for i, item in zip(positions, ordered, strict=True):
        items[i] = item


@pytest.fixture(scope="session")
def airflow_cluster(tmp_path_factory):
    if not _postgres_up():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (./dev test starts it)")
    from creditwh.simulate import SimConfig, simulate_to_landing

    work = tmp_path_factory.mktemp("airflow-cluster")
    data_dir = work / "data"
    simulate_to_landing(
        SimConfig(n_accounts=N_ACCOUNTS, start_date=START, seed=5),
        max(TRIGGER_DAYS, BACKFILL_DAYS),
        data_dir / "landing",
    )
    inbox = AlertInbox()
    cluster = AirflowCluster(
        work,
        data_dir,
        extra_env={"CREDITWH_ALERT_WEBHOOK": inbox.url, "CREDITWH_DROP_DEADLINE_MINUTES": str(DEADLINE_MINUTES)},
    )
    cluster.inbox = inbox
    try:
        cluster.start()
        cluster.wait_healthy()
        cluster.wait_dag_parsed()
        cluster.unpause()
        yield cluster
    finally:
        cluster.stop()
        inbox.close()
        print(f"\ncomponent logs: {cluster.log_dir}")
