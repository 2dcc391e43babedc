"""The daily DAG run for real through Airflow (dag.test), several consecutive business dates."""

from __future__ import annotations

import duckdb
import pytest
from conftest import business_dates
from creditwh import airflow_env
from creditwh.config import settings
from creditwh.contract import DATASETS, manifest_name
from creditwh.landing.manifest import read_manifest

pytestmark = pytest.mark.slow


def _raw_state(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            d.name: con.execute(f"select * exclude (_loaded_at) from raw.{d.name} order by all").fetchall()
            for d in DATASETS
        }
    finally:
        con.close()


def test_daily_dag_loads_consecutive_dates_and_reruns_idempotently(data_dir, airflow_db):
    dates = business_dates()
    assert airflow_env.run_dates("credit_daily", dates, progress=lambda _: None) == ["success"] * len(dates)

    s = settings()
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    for day in dates:
        manifest = read_manifest(s.drop_dir(day), day)
        for dataset in DATASETS:
            (count,) = con.execute(
                f"select count(*) from raw.{dataset.name} where business_date = ?", [day]
            ).fetchone()
            assert count == manifest["files"][dataset.name]["records"]
    con.close()

    before = _raw_state(s.warehouse_path)
    airflow_env.run_dates("credit_daily", dates[1:2], progress=lambda _: None)
    assert _raw_state(s.warehouse_path) == before


def test_a_bad_drop_fails_the_run_and_loads_nothing(data_dir, airflow_db):
    dates = business_dates(2)
    airflow_env.run_dates("credit_daily", dates[:1], progress=lambda _: None)
    s = settings()
    before = _raw_state(s.warehouse_path)
    manifest = s.drop_dir(dates[1]) / manifest_name(dates[1])
    manifest.write_text(manifest.read_text().replace('"records": ', '"records": 1', 1))
    with pytest.raises(RuntimeError, match="failed"):
        airflow_env.run_dates("credit_daily", dates[1:], progress=lambda _: None)
    assert _raw_state(s.warehouse_path) == before
    assert manifest.exists()
