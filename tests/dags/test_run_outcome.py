"""What an in-process run reports (creditwh.airflow_env): a run counts as a success only when its work ran;
a failure names the task and its error; a date without a drop fails at once; one run per data directory;
a warehouse held open by another process is waited for, within a bound, naming the holder."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from creditwh import airflow_env
from creditwh.airflow_env import (
    DateBeforeFirstBusinessDate,
    RunDidNothing,
    RunFailed,
    RunInProgress,
    WarehouseBusy,
    check_run,
    exclusive_run,
    wait_for_warehouse,
)
from creditwh.config import settings
from creditwh.contract import manifest_name
from creditwh.pipeline.daily import FIRST_BUSINESS_DATE
from sim_dates import business_dates

DAY = dt.date(2026, 1, 2)
WORK_DONE = {
    t: ("success", None) for t in ("load_raw", "validate_marts", "publish_blacklist", "publish_collection_lists")
}


# --- the verdict on a finished run -----------------------------------------------------------------------


def test_a_run_without_task_instances_did_nothing():
    with pytest.raises(RunDidNothing, match="credit_daily 2026-01-02: .*created no task instance"):
        check_run("credit_daily", DAY, "success", {})


def test_a_run_whose_tasks_were_all_skipped_did_nothing():
    skipped = {t: ("skipped", None) for t in ("choose_source", "wait_for_drop", "load_raw")}
    with pytest.raises(RunDidNothing, match="load_raw skipped, validate_marts not created"):
        check_run("credit_daily", DAY, "success", skipped)
    with pytest.raises(RunDidNothing, match="every task skipped"):
        check_run("some_other_dag", DAY, "success", skipped)


def test_a_run_succeeds_only_when_its_work_succeeded():
    check_run("credit_daily", DAY, "success", {**WORK_DONE, "month_end": ("skipped", None)})
    with pytest.raises(RunDidNothing, match="publish_blacklist skipped"):
        check_run("credit_daily", DAY, "success", {**WORK_DONE, "publish_blacklist": ("skipped", None)})
    with pytest.raises(RunDidNothing, match="publish_collection_lists skipped"):
        check_run("credit_daily", DAY, "success", {**WORK_DONE, "publish_collection_lists": ("skipped", None)})


def test_a_failed_run_names_each_failed_task_and_its_error():
    tasks = {
        "choose_source": ("success", None),
        "verify_drop": ("failed", "DropRejected: accounts_20260102.parquet: rule 'checksum' failed"),
        "load_raw": ("upstream_failed", None),
        "validate_raw": ("upstream_failed", None),
    }
    with pytest.raises(RunFailed) as failed:
        check_run("credit_daily", DAY, "failed", tasks)
    assert str(failed.value) == (
        "credit_daily 2026-01-02: verify_drop failed: DropRejected: accounts_20260102.parquet: rule 'checksum' "
        "failed (2 later tasks not run)"
    )
    assert failed.value.dag_id == "credit_daily" and failed.value.business_date == DAY


def test_the_tasks_that_must_succeed_exist_in_their_dags(airflow_db):
    dags = airflow_env.load_dags()
    for dag_id, task_ids in airflow_env.RUN_MUST_SUCCEED.items():
        for task_id in task_ids:
            assert dags[dag_id].has_task(task_id), (dag_id, task_id)


# --- start date: history before 2026 runs; nothing before the first business date runs empty ---------------


@pytest.mark.slow
def test_airflow_creates_no_task_instance_before_start_date_and_that_empty_run_is_caught(
    data_dir, airflow_db
):
    """Airflow's own behaviour (dag.test and a manual trigger create no task instances for a logical date
    before the DAG's start_date, and call the empty run a success), which check_run must catch."""
    dag = airflow_env.load_dags()["credit_daily"]
    before = FIRST_BUSINESS_DATE - dt.timedelta(days=1)
    logical_date = dt.datetime.combine(before, dt.time(3), tzinfo=dt.UTC)
    run = airflow_env._without_deadlines(dag).test(
        logical_date=logical_date, run_conf={"wait_for_drop": False}
    )
    assert str(getattr(run.state, "value", run.state)) == "success"
    tasks = airflow_env._task_outcomes("credit_daily", run.run_id)
    assert tasks == {}
    with pytest.raises(RunDidNothing):
        check_run("credit_daily", before, "success", tasks)
    # run_dates refuses the date before starting anything
    with pytest.raises(DateBeforeFirstBusinessDate, match=f"first business date {FIRST_BUSINESS_DATE}"):
        airflow_env.run_dates("credit_daily", [before], progress=lambda _: None)


@pytest.mark.slow
def test_a_manual_trigger_before_the_first_business_date_is_refused_and_a_2019_one_has_tasks(airflow_db):
    from airflow.api.common.trigger_dag import trigger_dag
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.types import DagRunTriggeredByType

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    sync_bag_to_db(DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]), "dags-folder", None)

    too_early = dt.datetime.combine(FIRST_BUSINESS_DATE - dt.timedelta(days=1), dt.time(3), tzinfo=dt.UTC)
    with create_session() as session, pytest.raises(ValueError, match="should be >= start_date"):
        trigger_dag(
            "credit_daily", triggered_by=DagRunTriggeredByType.CLI, logical_date=too_early, session=session
        )

    history = dt.datetime(2019, 6, 28, 3, tzinfo=dt.UTC)
    with create_session() as session:
        run = trigger_dag(
            "credit_daily", triggered_by=DagRunTriggeredByType.CLI, logical_date=history, session=session
        )
        created = session.query(TaskInstance).filter(TaskInstance.run_id == run.run_id).count()
        session.delete(run)  # leave no queued run behind in the shared metadata database
    assert created >= 10


# --- a date without a drop fails at once, naming what is missing ----------------------------------------------


def test_the_scheduled_sensor_logs_what_it_waits_for_and_a_run_by_hand_fails_at_once(data_dir, caplog):
    from creditwh.errors import DropMissing
    from creditwh.pipeline.daily import poke_drop

    day = business_dates(1)[0]
    s = settings()
    manifest = s.drop_dir(day) / manifest_name(day)
    assert poke_drop(day, s, wait=True) is True
    manifest.unlink()
    with caplog.at_level("INFO", logger="creditwh.pipeline.daily"):
        assert poke_drop(day, s, wait=True) is False
    assert f"waiting for the drop of {day}: {manifest} not there yet" in caplog.text
    with pytest.raises(
        DropMissing, match=f"no drop for {day} in {s.drop_dir(day)}: {manifest.name} is missing"
    ):
        poke_drop(day, s, wait=False)


@pytest.mark.slow
def test_a_date_without_a_drop_fails_at_once_naming_the_missing_manifest(data_dir, airflow_db):
    day = business_dates(1)[0]
    s = settings()
    (s.drop_dir(day) / manifest_name(day)).unlink()
    started = time.monotonic()
    with pytest.raises(RunFailed) as failed:
        airflow_env.run_dates("credit_daily", [day], progress=lambda _: None)
    # a hang guard, not a speed target: the sensor used to re-poke for its 6 h timeout
    assert time.monotonic() - started < 600
    message = str(failed.value)
    assert message.startswith(f"credit_daily {day}: wait_for_drop failed: DropMissing: no drop for {day} in ")
    assert manifest_name(day) in message and str(s.drop_dir(day)) in message


# --- one run per data directory ---------------------------------------------------------------------------


_HOLD_LOCK = """
import sys, time
from creditwh.airflow_env import exclusive_run
from creditwh.config import settings
with exclusive_run(settings()):
    print("locked", flush=True)
    time.sleep(120)
"""


def _holder(script: str, env=None) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() in ("locked", "ready")
    return proc


def test_a_second_run_on_the_same_data_directory_is_refused_and_a_killed_run_leaves_no_lock(data_dir):
    holder = _holder(_HOLD_LOCK)
    try:
        busy = rf"another creditwh run is using {data_dir} \(pid {holder.pid},"
        with pytest.raises(RunInProgress, match=busy), exclusive_run(settings()):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    # the kernel released the dead holder's lock; and the lock is re-entrant within a process
    with exclusive_run(settings()), exclusive_run(settings()):
        pass


# --- a warehouse held open by another process ------------------------------------------------------------


_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("ready", flush=True)
sys.stdin.readline()  # holds the file until told to let go
con.close()
"""


def _reader(path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", _READER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_a_reader_holding_the_warehouse_makes_the_run_fail_after_a_bounded_wait_naming_it(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    reader = _reader(warehouse)
    said = []
    try:
        started = time.monotonic()
        with pytest.raises(
            WarehouseBusy, match=rf"held open by .*python.* \(PID {reader.pid}\) for more than 1 s"
        ):
            wait_for_warehouse(warehouse, said.append, wait_seconds=1)
        assert 1 <= time.monotonic() - started < 10
    finally:
        reader.kill()
        reader.wait(timeout=10)
    assert len(said) == 1 and f"(PID {reader.pid})" in said[0] and "waiting up to 1 s" in said[0]


def test_the_run_waits_for_a_reader_that_lets_go(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    reader = _reader(warehouse)
    said = []

    def tell(line: str) -> None:
        said.append(line)
        if "waiting" in line:
            reader.stdin.write("let go\n")
            reader.stdin.flush()

    try:
        wait_for_warehouse(warehouse, tell, wait_seconds=60)
    finally:
        reader.kill()
        reader.wait(timeout=10)
    assert len(said) == 2 and f"(PID {reader.pid}): waiting up to 60 s" in said[0]
    assert said[1] == f"warehouse {warehouse} is free: running"
    duckdb.connect(str(warehouse)).close()  # writable now
