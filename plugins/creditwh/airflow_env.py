"""Run the project's DAGs in-process through Airflow (dag.test), for the one-command demo and the tests.

Airflow's home (SQLite metadata, logs) lives under the data directory, so a clean checkout needs no
server. Environment defaults are set only where the operator has not set them already.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import time
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
    """Create or upgrade the metadata database, and the warehouse pool the DAGs' DuckDB tasks share."""
    from airflow.models.pool import Pool
    from airflow.utils.db import upgradedb

    from creditwh.pipeline.policy import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS

    upgradedb()
    Pool.create_or_update_pool(
        WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS, "DuckDB warehouse: one writer at a time", include_deferred=False
    )


def load_dags() -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags


def run_dates(dag_id: str, dates: list[dt.date], conf: dict | None = None, progress=print) -> list[str]:
    """dag.test() the daily DAG for each business date in order; stop at the first failed run.

    After a month-end date the bureau DAG runs too, as the scheduler does on the MONTH_END asset event."""
    from creditwh.pipeline.daily import is_month_end

    dags = load_dags()
    states = []
    for business_date in dates:
        states.append(_run(dags[dag_id], business_date, conf or {}, progress))
        # Everything loaded so far (Airflow, dbt's manifest, GX) lives as long as the process: keep the
        # cyclic garbage collector from re-scanning it on every later run (measured: ~0.5 s less a day).
        gc.freeze()
        if dag_id == "credit_daily" and is_month_end(business_date):
            _run(dags["credit_bureau_monthly"], business_date, {"period_end": str(business_date)}, progress)
    return states


def _run(dag, business_date: dt.date, conf: dict, progress) -> str:
    started = time.monotonic()
    logical_date = dt.datetime.combine(business_date, dt.time(3), tzinfo=dt.UTC)
    run = _without_deadlines(dag).test(logical_date=logical_date, run_conf=conf)
    state = str(getattr(run.state, "value", run.state))
    progress(f"{dag.dag_id} {business_date}: {state} ({time.monotonic() - started:.1f} s)")
    if state != "success":
        raise RuntimeError(f"{dag.dag_id} run for {business_date} ended {state}; see the task logs above")
    return state


def _without_deadlines(dag):
    """The DAG without its deadline alerts, for dag.test().

    Airflow 3.3.2's dag.test() fails every run of a DAG with a deadline alert when the run succeeds:
    DagRun.update_state looks each alert up by id, and under dag.test the ids are serialized alert dicts
    (``AttributeError: 'dict' object has no attribute 'hex'``). An in-process run has no triggerer to
    fire a deadline callback anyway; the scheduler path is untouched (tests/system checks the alert fires).
    Remove once dag.test() handles deadlines."""
    if not getattr(dag, "deadline", None):
        return dag
    import copy

    bare = copy.copy(dag)
    object.__setattr__(bare, "deadline", None)
    return bare
