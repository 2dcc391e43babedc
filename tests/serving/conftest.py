"""A daily run through Airflow (dag.test) that publishes to a serving database of its own, while a BI-reader
session reads the serving marts in a loop (tests/serving/bi_reader.py). Run once per session; the tests
read what it left (warehouse, serving database, the reader's observations)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from bi_reader import BiReader
from serving_db import serving_database, use_serving
from sim_dates import business_dates


@dataclasses.dataclass
class ServedRun:
    data_dir: Path
    database: str
    dates: list
    states: list
    rerun_states: list
    reader: BiReader

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"


@pytest.fixture(scope="session")
def served_run(tmp_path_factory, small_landing, airflow_db):
    from creditwh import airflow_env

    data_dir = tmp_path_factory.mktemp("served")
    shutil.copytree(small_landing, data_dir / "landing")
    dates = business_dates()
    with serving_database() as target:
        reader = BiReader(target.database)
        with pytest.MonkeyPatch.context() as mp:  # only for the run: later tests see the session's settings
            use_serving(mp, target)
            mp.setenv("CREDITWH_DATA_DIR", str(data_dir))
            reader.start()
            try:
                states = airflow_env.run_dates("credit_daily", dates, progress=lambda _: None)
                # a re-run of a date publishes it again while the reader reads
                rerun = airflow_env.run_dates("credit_daily", dates[1:2], progress=lambda _: None)
            finally:
                reader.stop()
        yield ServedRun(data_dir, target.database, dates, states, rerun, reader)
