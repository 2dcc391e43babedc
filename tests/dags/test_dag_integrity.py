"""The DAG folder imports cleanly and fast, and the daily DAG is wired as operators expect."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "credit_daily" in dagbag.dag_ids


def test_each_dag_file_parses_under_two_seconds(dagbag):
    # The dag-processor re-parses every file every few seconds: no heavy work at import time.
    assert dagbag.dagbag_stats, "no DAG files parsed"
    for stat in dagbag.dagbag_stats:
        assert stat.duration.total_seconds() < 2, stat


def test_daily_dag_is_safe_for_a_single_writer(dagbag):
    dag = dagbag.dags["credit_daily"]
    assert dag.max_active_runs == 1
    assert {"wait_for_drop", "extract_from_postgres", "verify_drop", "load_raw"} <= set(dag.task_ids)
    assert dag.get_task("load_raw").upstream_task_ids == {"verify_drop"}


def test_dbt_runs_once_between_the_gates_with_a_status_task_per_area(dagbag):
    dag = dagbag.dags["credit_daily"]
    build, area = dag.get_task("transform.dbt_build"), dag.get_task("transform.area")
    assert build.upstream_task_ids == {"validate_raw"}
    assert area.upstream_task_ids == {"transform.dbt_build"}
    assert dag.get_task("validate_marts").upstream_task_ids == {"transform.area"}
    assert area.retries == 0  # a failed model is not retried: its data will not change


def test_dag_files_do_not_import_dbt_or_great_expectations(dagbag):
    import subprocess
    import sys

    code = (
        "import sys; from airflow.dag_processing.dagbag import DagBag; "
        f"DagBag(dag_folder={os.environ['AIRFLOW__CORE__DAGS_FOLDER']!r}); "
        "print(sorted(m for m in ('dbt.cli.main', 'great_expectations', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
