"""Run the project's DAGs in-process through Airflow (dag.test), for the one-command demo and the tests.

Airflow's home (SQLite metadata, logs) lives under the data directory, so a clean checkout needs no
server. Environment defaults are set only where the operator has not set them already.

A run counts as a success only when its tasks did the work (RUN_MUST_SUCCEED), not because Airflow's run
state says so: Airflow marks a run without task instances (a logical date before the DAG's start_date) a
success. One in-process run at a time per data directory (exclusive_run): two of them on the same
SQLite metadata corrupt Airflow's record of each other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gc
import logging
import os
import re
import time
import warnings
from pathlib import Path

from creditwh.config import REPO_ROOT, Settings
from creditwh.errors import PipelineError

log = logging.getLogger(__name__)

# The tasks that must have succeeded for a run to have done its job (the others may be skipped: the
# branch not taken, month_end on other days).
RUN_MUST_SUCCEED = {
    "credit_daily": ("load_raw", "validate_marts", "publish_blacklist", "publish_collection_lists"),
    "credit_bureau_monthly": ("publish_notice_list", "publish_bureau_file", "publish_pboc_file"),
    "credit_history_load": ("load_range", "build_range", "validate_marts_range"),
}

LOCK_FILE = "run.lock"
WAREHOUSE_WAIT_ENV = "CREDITWH_WAREHOUSE_WAIT_SECONDS"
WAREHOUSE_WAIT_DEFAULT = 120.0

current_run: str | None = None  # "<dag id> <business date>" while a run is in progress (for a stop message)


class RunFailed(PipelineError):
    """A DAG run failed: names the DAG, the business date and each failed task with its error."""

    def __init__(self, dag_id: str, business_date: dt.date, what: str):
        self.dag_id, self.business_date = dag_id, business_date
        super().__init__(f"{dag_id} {business_date}: {what}")


class RunDidNothing(RunFailed):
    """Airflow says success, but the tasks that do the work did not run (or were skipped)."""


class RunInProgress(PipelineError):
    """Another process is running DAGs on this data directory."""


class WarehouseBusy(PipelineError):
    """Another process (an analyst's notebook, a BI tool) holds the warehouse file open."""


class DateBeforeFirstBusinessDate(PipelineError):
    """The DAGs' start_date is their first business date: Airflow would create an empty run before it."""


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

    _ignore_airflows_own_deprecations()

    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags


def _ignore_airflows_own_deprecations() -> None:
    """Deprecation notices raised inside Airflow itself (its in-process API client imports starlette's test
    client; its standard sensors import a moved helper): nothing here can act on them, and every run would
    print them. Set again before each run: Airflow resets the warning filters when it configures itself."""
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    warnings.filterwarnings("ignore", message="The `airflow.utils.operator_helpers.determine_kwargs`")


_held_locks: dict[Path, int] = {}


@contextlib.contextmanager
def exclusive_run(settings: Settings):
    """Hold the data directory's run lock, or raise RunInProgress naming the process that holds it.

    An flock: the kernel releases it when the holder exits, however it exits (no stale lock after a
    kill -9). Re-entrant within a process (the demo takes it, then its run takes it again)."""
    path = settings.data_dir / LOCK_FILE
    if path in _held_locks:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise RunInProgress(
            f"another creditwh run is using {settings.data_dir} ({holder}); wait until it ends: two runs at "
            "once on one data directory corrupt Airflow's record of both"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()}, started {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC\n".encode(), 0)
    _held_locks[path] = fd
    try:
        yield
    finally:
        del _held_locks[path]
        os.close(fd)  # releases the lock


def say(line: str) -> None:
    """Progress on stdout, flushed: a line shows when it happens, also in a log file or a pipe."""
    print(line, flush=True)


def run_dates(dag_id: str, dates: list[dt.date], conf: dict | None = None, progress=say) -> list[str]:
    """dag.test() the daily DAG for each business date in order; stop at the first failed run.

    After a month-end date the bureau DAG runs too, as the scheduler does on the MONTH_END asset event.
    A date run here does not wait for its drop unless conf says so (a person is waiting for the answer)."""
    from creditwh.config import settings
    from creditwh.pipeline.daily import is_month_end

    s = settings()
    if dag_id == "credit_daily":
        conf = {"wait_for_drop": False, **(conf or {})}
    with exclusive_run(s):
        dags = load_dags()
        _listen_for_task_errors(progress)
        states = []
        try:
            for business_date in dates:
                states.append(_run(dags[dag_id], business_date, conf or {}, progress, s))
                # Everything loaded so far (Airflow, dbt's manifest, GX) lives as long as the process: keep the
                # cyclic garbage collector from re-scanning it on every later run.
                gc.freeze()
                if dag_id == "credit_daily" and is_month_end(business_date):
                    _run(
                        dags["credit_bureau_monthly"],
                        business_date,
                        {"period_end": str(business_date)},
                        progress,
                        s,
                    )
        finally:
            # Frozen objects are never collected, not even at interpreter exit: DuckDB's (nanobind) objects
            # among them were reported as pages of "leaked instance" lines when the process ended.
            gc.unfreeze()
    return states


def _run(dag, business_date: dt.date, conf: dict, progress, settings: Settings) -> str:
    global current_run
    logical_date = dt.datetime.combine(business_date, dt.time(3), tzinfo=dt.UTC)
    if dag.start_date and logical_date < dag.start_date:
        raise DateBeforeFirstBusinessDate(
            f"{dag.dag_id} {business_date}: before the DAG's first business date {dag.start_date:%Y-%m-%d} "
            "(its start_date; creditwh.pipeline.daily.FIRST_BUSINESS_DATE)"
        )
    wait_for_warehouse(settings.warehouse_path, progress)
    started = time.monotonic()
    current_run = f"{dag.dag_id} {business_date}"
    try:
        _ignore_airflows_own_deprecations()
        run = _without_deadlines(dag).test(logical_date=logical_date, run_conf=conf)
        tasks = _task_outcomes(dag.dag_id, run.run_id)
        state = str(getattr(run.state, "value", run.state))
        try:
            check_run(dag.dag_id, business_date, state, tasks)
        except RunFailed:
            progress(f"{dag.dag_id} {business_date}: failed ({time.monotonic() - started:.1f} s)")
            raise
    finally:
        current_run = None
    progress(f"{dag.dag_id} {business_date}: success ({time.monotonic() - started:.1f} s)")
    return state


def check_run(dag_id: str, business_date: dt.date, run_state: str, tasks: dict[str, tuple[str, str | None]]):
    """Raise RunFailed unless the run succeeded *and* did its job.

    tasks: {task label: (state, first line of its error or None)} of every task instance of the run."""
    failed = [(label, error) for label, (state, error) in sorted(tasks.items()) if state == "failed"]
    if run_state != "success" or failed:
        if failed:
            what = "; ".join(
                f"{label} failed: {error or 'no error captured (see its log above)'}"
                for label, error in failed
            )
        else:
            what = f"run ended {run_state} with no failed task (states: {_states(tasks)})"
        not_run = sum(1 for state, _ in tasks.values() if state == "upstream_failed")
        raise RunFailed(
            dag_id, business_date, what + (f" ({not_run} later tasks not run)" if not_run else "")
        )
    if not tasks:
        raise RunDidNothing(
            dag_id,
            business_date,
            "Airflow marked the run a success but created no task instance: nothing ran",
        )
    missing = [
        t for t in RUN_MUST_SUCCEED.get(dag_id, ()) if tasks.get(t, ("not created", None))[0] != "success"
    ]
    if missing or all(state == "skipped" for state, _ in tasks.values()):
        what = (
            ", ".join(f"{t} {tasks.get(t, ('not created', None))[0]}" for t in missing)
            or "every task skipped"
        )
        raise RunDidNothing(
            dag_id, business_date, f"Airflow marked the run a success but its work did not run ({what})"
        )


def _states(tasks) -> str:
    return ", ".join(f"{label} {state}" for label, (state, _) in sorted(tasks.items()))


def _task_outcomes(dag_id: str, run_id: str) -> dict[str, tuple[str, str | None]]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
        return {
            ti.task_id + (f"[{ti.rendered_map_index}]" if ti.map_index >= 0 else ""): (
                str(getattr(ti.state, "value", ti.state)),
                _task_errors.get((dag_id, run_id, ti.task_id, ti.map_index)),
            )
            for ti in tis
        }


# The error each failed try raised, by (dag id, run id, task id, map index), recorded by an Airflow
# listener: dag.test runs the tasks in this process, so the exception itself reaches us, not only its
# traceback in the log.
_task_errors: dict[tuple[str, str, str, int], str] = {}
_listener = None
_progress = [say]


def _listen_for_task_errors(progress) -> None:
    global _listener
    _progress[0] = progress
    if _listener is not None:
        return
    from airflow.listeners import hookimpl
    from airflow.sdk.listener import get_listener_manager

    class TaskErrors:
        @hookimpl
        def on_task_instance_failed(self, previous_state, task_instance, error):
            _record_task_error(task_instance, error)

    _listener = TaskErrors()
    get_listener_manager().add_listener(_listener)


def _record_task_error(ti, error) -> None:
    line = _first_line(error)
    _task_errors[(ti.dag_id, ti.run_id, ti.task_id, ti.map_index)] = line
    if str(getattr(ti.state, "value", ti.state)) == "up_for_retry":
        _progress[0](
            f"{ti.dag_id} {ti.task_id}: try {ti.try_number} failed, Airflow retries it after its retry delay: {line}"
        )


def _first_line(error) -> str:
    text = str(error).strip()
    text = text.splitlines()[0] if text else ""
    name = type(error).__name__ if isinstance(error, BaseException) else ""
    return f"{name}: {text}" if name and text else (name or text or "unknown error")


_HOLDER = re.compile(r"Conflicting lock is held in (?P<holder>.+?) \(PID (?P<pid>\d+)\)")


def wait_for_warehouse(path: Path, progress, wait_seconds: float | None = None) -> None:
    """Wait until no other process holds the warehouse file, up to CREDITWH_WAREHOUSE_WAIT_SECONDS.

    DuckDB lets one process write, and none while another has the file open even read-only; a run
    that finds it held would fail task after task on retries with the holder buried in the logs.
    Say once who holds it, wait a bounded time, then fail naming the holder."""
    import duckdb

    if not path.exists():
        return
    if wait_seconds is None:
        wait_seconds = float(os.environ.get(WAREHOUSE_WAIT_ENV, WAREHOUSE_WAIT_DEFAULT))
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            duckdb.connect(str(path)).close()
            if told:
                progress(f"warehouse {path} is free: running")
            return
        except duckdb.ConnectionException:
            return  # this process has it open, configured differently: no other process holds it
        except duckdb.IOException as exc:
            found = _HOLDER.search(str(exc))
            if not found:
                raise
            holder = f"{found['holder']} (PID {found['pid']})"
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"warehouse {path} is held open by {holder} for more than {wait_seconds:.0f} s: close that "
                    "connection (a notebook or BI tool) and run again; nothing was run"
                ) from None
            if not told:
                progress(
                    f"warehouse {path} is held open by {holder}: waiting up to {wait_seconds:.0f} s for it to "
                    "close (DuckDB lets no one write while another process has the file open)"
                )
                told = True
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0.05)))


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
