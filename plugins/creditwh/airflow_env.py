"""Run the project's DAGs in-process through Airflow (dag.test), for the one-command demo and the tests.

Airflow's home (SQLite metadata, logs) lives under the data directory, so a clean checkout needs no
server. Environment defaults are set only where the operator has not set them already.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from creditwh.config import REPO_ROOT, Settings

log = logging.getLogger(__name__)


def configure(settings: Settings) -> Path:
    home = settings.data_dir / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "CREDITWH_DATA_DIR": str(settings.data_dir),
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    return home


def migrate() -> None:
    from airflow.utils.db import upgradedb

    upgradedb()


def get_dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[dag_id]


def run_dates(dag_id: str, dates: list[dt.date], conf: dict | None = None, progress=print) -> list[str]:
    """dag.test() each business date in order; stop at the first failed run."""
    dag = get_dag(dag_id)
    states = []
    for business_date in dates:
        logical_date = dt.datetime.combine(business_date, dt.time(3), tzinfo=dt.UTC)
        run = dag.test(logical_date=logical_date, run_conf=conf or {})
        state = str(getattr(run.state, "value", run.state))
        states.append(state)
        progress(f"{dag_id} {business_date}: {state}")
        if state != "success":
            raise RuntimeError(f"{dag_id} run for {business_date} ended {state}; see the task logs above")
    return states
