"""The daily DAG run for real through Airflow (dag.test), several consecutive business dates."""

from __future__ import annotations

import os

import duckdb
import pytest
from creditwh import airflow_env
from creditwh.config import settings
from creditwh.contract import DATASETS, manifest_name
from creditwh.landing.manifest import read_manifest
from sim_dates import business_dates

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
    # no month end among the dates: their builds left out the month-end-only models (creditwh.transform.dbt),
    # so none of those exists yet; the staging views, built once per process, do
    relations = {r[0] for r in con.execute("select table_name from duckdb_tables() union all "
                                           "select view_name from duckdb_views()").fetchall()}  # fmt: skip
    assert {"stg_accounts", "stg_customers", "fct_account_daily", "rpt_bureau_disputes"} <= relations
    assert {"rpt_bureau_accounts", "rpt_pboc_card_accounts", "mart_roll_rate_monthly"} & relations == set()
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
    with pytest.raises(airflow_env.RunFailed, match="verify_drop failed: DropRejected: "):
        airflow_env.run_dates("credit_daily", dates[1:], progress=lambda _: None)
    assert _raw_state(s.warehouse_path) == before
    assert manifest.exists()


def test_every_dbt_unit_test_passes_on_a_warehouse_built_by_the_dag(data_dir, airflow_db):
    """The nightly build leaves unit tests out (they check logic, not the day's data): run them all here."""
    from creditwh.transform.dbt import PROJECT_DIR, dbt_env, release_dbt_connection
    from dbt.cli.main import dbtRunner

    airflow_env.run_dates("credit_daily", business_dates(1), progress=lambda _: None)
    release_dbt_connection()
    os.environ.update(dbt_env(settings()))
    project = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    # a unit test reads the columns of its model's inputs: the month-end-only models, which an ordinary
    # date's build leaves out, are created (empty) first
    assert dbtRunner().invoke(["run", "--select", "tag:month_end_only", "--empty", *project]).success
    result = dbtRunner().invoke(["test", "--select", "test_type:unit", *project])
    unit_tests = [r for r in result.result.results] if result.result else []
    assert result.success, [f"{r.node.name}: {r.status} {r.message}" for r in unit_tests if str(r.status) != "pass"]
    assert len(unit_tests) >= 20


def _task_states(dag_id: str, business_date) -> dict[str, str]:
    """{task id or 'task id[area]': state} of the date's latest run, from Airflow's metadata database."""
    import datetime as dt

    from airflow.models import DagRun, TaskInstance
    from airflow.utils.session import create_session

    logical_date = dt.datetime.combine(business_date, dt.time(3), tzinfo=dt.UTC)
    with create_session() as session:
        run = (
            session.query(DagRun)
            .filter(DagRun.dag_id == dag_id, DagRun.logical_date == logical_date)
            .order_by(DagRun.id.desc())
            .first()
        )
        tis = session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run.run_id)
        return {
            ti.task_id + (f"[{ti.rendered_map_index}]" if ti.map_index >= 0 else ""): str(ti.state) for ti in tis
        }


def test_a_failing_model_fails_its_area_task_and_nothing_is_published(data_dir, airflow_db):
    from creditwh.transform.dbt import DbtModelFailed, build, check_area

    dates = business_dates(2)
    airflow_env.run_dates("credit_daily", dates[:1], progress=lambda _: None)
    s = settings()
    states = _task_states("credit_daily", dates[0])
    # no staging area: the staging views are built once per process, not by the date's build
    assert {k for k in states if k.startswith("transform.area[")} == {
        "transform.area[intermediate]", "transform.area[snapshots]", "transform.area[marts]",
    }
    assert set(states.values()) <= {"success", "skipped"}

    # A schema drift a migration forgot: the account-day fact can no longer take the day's rows.
    con = duckdb.connect(str(s.warehouse_path))
    con.execute("alter table marts.fct_account_daily rename column bucket_code to bucket_code_old")
    con.close()
    with pytest.raises(airflow_env.RunFailed, match=r"transform\.area\[marts\] failed: DbtModelFailed: "):
        airflow_env.run_dates("credit_daily", dates[1:], progress=lambda _: None)

    states = _task_states("credit_daily", dates[1])
    assert states["transform.dbt_build"] == "success"  # dbt ran; the failure belongs to a model
    assert states["transform.area[marts]"] == "failed"
    assert states["transform.area[intermediate]"] == "success"
    assert states["validate_marts"] == "upstream_failed"
    assert states["publish_blacklist"] == "upstream_failed"
    assert not list(s.outbox_dir.glob(f"*{dates[1]:%Y%m%d}*"))

    areas = {a["area"]: a for a in build(dates[1], s)}
    with pytest.raises(DbtModelFailed, match="fct_account_daily") as failed:
        check_area(areas["marts"])
    assert "model mart_aging_daily: skipped" in str(failed.value)  # built on the fact: not run
    assert "staging" not in areas  # the staging views: built once per process
    intermediate = {line.split(":")[0] for line in check_area(areas["intermediate"])}
    assert {"model int_accounts_classified", "model int_customers_changed"} <= intermediate
