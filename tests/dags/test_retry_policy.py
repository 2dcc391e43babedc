"""Which failures the DAGs retry: transient ones only (creditwh.pipeline.policy), on every task."""

from __future__ import annotations

import os

import duckdb
import psycopg2
import pytest
from airflow.sdk import RetryAction
from creditwh.errors import DbtBuildError, DbtModelFailed, DropNotArrived, DropRejected
from creditwh.pipeline.policy import RETRY_POLICY, WAREHOUSE_POOL


def _action(exc: BaseException) -> RetryAction:
    return RETRY_POLICY.evaluate(exc, try_number=1, max_tries=3).action


@pytest.mark.parametrize(
    "exc",
    [
        DropNotArrived("no manifest yet"),
        DbtBuildError("dbt could not start"),
        duckdb.IOException('Could not set lock on file "warehouse.duckdb"'),
        psycopg2.OperationalError("server closed the connection unexpectedly"),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
    ],
    ids=type,
)
def test_transient_errors_are_retried(exc):
    assert _action(exc) is RetryAction.RETRY


@pytest.mark.parametrize(
    "exc",
    [
        DropRejected("accounts_20260101.parquet", "checksum", "sha256 differs from the manifest"),
        DbtModelFailed("fct_account_daily: Binder Error"),
        KeyError("a bug"),
    ],
    ids=type,
)
def test_bad_input_bad_data_and_bugs_fail_at_once(exc):
    assert _action(exc) is RetryAction.FAIL


def test_a_failed_validation_gate_is_not_retried():
    import datetime as dt

    from creditwh.quality.gate import GateResult, ValidationGateFailed

    assert _action(ValidationGateFailed(GateResult("raw_gate", dt.date(2026, 1, 1)))) is RetryAction.FAIL


def test_every_task_has_the_policy_and_every_warehouse_task_the_pool():
    from airflow.dag_processing.dagbag import DagBag

    dags = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]).dags
    for dag in dags.values():
        for task in dag.tasks:
            assert task.retry_policy is not None, (dag.dag_id, task.task_id)
    warehouse_tasks = {
        ("credit_daily", t)
        for t in ("load_raw", "validate_raw", "transform.dbt_build", "validate_marts", "publish_blacklist")
    } | {
        ("credit_bureau_monthly", t)
        for t in ("publish_notice_list", "publish_bureau_file", "publish_pboc_file")
    }
    for dag_id, task_id in warehouse_tasks:
        assert dags[dag_id].get_task(task_id).pool == WAREHOUSE_POOL
