"""The dbt build of one business date, run in-process, with each model's status for Airflow.

`build` runs ONE `dbt build` for the date through dbt's Python API on a manifest parsed once per process
(the date is a run-time var, so it never invalidates the parse), and returns a small status per model —
rows, seconds, the data tests attached to it — grouped by layer of the project (staging, intermediate,
snapshots, marts). The DAG maps one light status task per layer over that list: each task's log lists its
models, and it fails naming the model and test that failed. No dbt start-up per model.

Why not Astronomer Cosmos (its watcher mode has this shape with a task per model): its producer pushes an
XCom per dbt node through the task API and re-parses the project whenever `--vars` change, i.e. every day;
and every task instance has a fixed cost, so one status task per layer rather than per model.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os

from creditwh.config import REPO_ROOT, Settings
from creditwh.errors import DbtBuildError, DbtModelFailed

log = logging.getLogger(__name__)

PROJECT_DIR = REPO_ROOT / "dbt_project"
# Unit tests check logic, not the day's data: CI runs them; the nightly build runs models and data tests.
# Results travel to Airflow (XCom, task logs), so dbt writes no run_results.json and no log lines.
QUIET = ["--no-write-json", "--log-level", "none", "--log-level-file", "none"]
# Views on sources and seeds whose SQL is the same for every run date hold no data: like the seeds, they
# are built once per process (see _parsed), not re-created by every date's build (dbt's per-node work).
DATE_INDEPENDENT_VIEWS = "tag:date_independent_view"
# Models that write only on a calendar month end (on any other date their SQL selects nothing, decided at
# compile time), and data tests of what only month ends report from: an ordinary date's build leaves them
# out. tests/dags/test_history_load.py compares such daily builds with builds of every model over a range.
MONTH_END_ONLY = "tag:month_end_only"
BUILT_ONCE = ["resource_type:seed", DATE_INDEPENDENT_VIEWS]
# Seeds, date-independent views and the tests only on them run once per process (see _parsed); "cautious"
# keeps the tests that check a model against a seed (relationships) in the nightly build. The sources'
# tests are left to the GX raw gate, which checks the same raw partition (and more) just before the build;
# CI and `dbt test` run them.
NIGHTLY_FLAGS = [
    "--exclude-resource-type",
    "unit_test",
    "--exclude",
    *BUILT_ONCE,
    "source:*",
    "--indirect-selection",
    "cautious",
    "--threads",
    "2",
    *QUIET,
]


def dbt_env(settings: Settings) -> dict[str, str]:
    from creditwh import warehouse

    return {
        "CREDITWH_WAREHOUSE_PATH": str(settings.warehouse_path),
        warehouse.MEMORY_LIMIT_ENV: warehouse.memory_limit(),
    }


def _args(command: str) -> list[str]:
    return [command, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]


@functools.cache
def _parsed(warehouse: str):
    """The parsed project, once per process and warehouse (no --vars: the date is applied at run time).

    The seeds (reference tables: buckets, classes, codes) and the date-independent views are built and
    tested here too: they change with the code, not with the day, so the nightly build leaves them out."""
    from dbt.cli.main import dbtRunner

    from creditwh.transform import dbt_events

    dbt_events.install()  # the nightly build logs nothing: no log message built for nobody
    os.environ["CREDITWH_WAREHOUSE_PATH"] = warehouse  # profiles.yml reads it
    result = dbtRunner().invoke(_args("parse") + ["--quiet"])
    if not result.success:
        raise DbtModelFailed(f"dbt parse of {PROJECT_DIR} failed: {result.exception}")
    manifest = result.result
    seed_args = ["--select", *BUILT_ONCE, "--indirect-selection", "cautious", *QUIET]
    try:
        seeded = dbtRunner(manifest=manifest).invoke(_args("build") + seed_args)
    finally:
        release_dbt_connection()
    if not seeded.success:
        results = seeded.result.results if seeded.result else []
        failed = [f"{r.node.name}: {r.message}" for r in results if str(r.status) not in ("success", "pass")]
        raise DbtModelFailed(f"dbt seeds and views failed: {seeded.exception or '; '.join(failed)}")
    return manifest


def build(business_date: dt.date, settings: Settings) -> list[dict]:
    """`dbt build` for the date: one status per area of the project (see `areas`), in build order.

    Raises DbtBuildError when dbt could not run at all; failed models are reported, not raised: their
    area's status task fails, and everything downstream of it waits."""
    from creditwh.pipeline.daily import is_month_end

    month_end = [] if is_month_end(business_date) else ["--exclude", MONTH_END_ONLY]
    statuses = _build(settings, f"dbt build for {business_date}", [*_date_vars(business_date), *month_end])
    return areas(statuses)


# The customer snapshot keeps a version per change it sees: run once over a range, it would see only each
# customer's last version. The bureau's monthly models build a period only when run on its month end; the
# persons' data as of that month end (rpt_person_pii_at_period_end: dim_customer_pii, and the snapshot for the
# persons changed since) with them.
PER_DATE_SNAPSHOT = "+snap_customers"
BUREAU_PERIOD_MODELS = [
    "rpt_person_pii_at_period_end+", "rpt_bureau_accounts+", "rpt_bureau_purges+", "rpt_pboc_card_accounts+",
]


def build_range(dates: list[dt.date], settings: Settings, progress=log.info) -> list[dict]:
    """The marts of every date in `dates` (consecutive loaded business dates, in order) in three steps that
    give the tables date-by-date builds give: the customer snapshot and its inputs date by date, every
    other model once over all loaded dates (no business_date var), then the bureau models of each month end
    in the range. One status per area, as `build` returns; dbt not running at all raises DbtBuildError."""
    from creditwh.pipeline.daily import is_month_end

    statuses: dict[str, dict] = {}
    for day in dates:
        _merge(statuses, _build(settings, f"dbt snapshot for {day}", ["--select", PER_DATE_SNAPSHOT,
                                                                          *_date_vars(day)]))  # fmt: skip
    progress(f"customer snapshot built for {len(dates)} dates")
    every_date = ["--exclude", PER_DATE_SNAPSHOT, "--vars", f"{{built_through: '{dates[-1].isoformat()}'}}"]
    _merge(statuses, _build(settings, f"dbt build of {dates[0]} to {dates[-1]}", every_date))
    progress(f"models built over {dates[0]} to {dates[-1]}")
    for day in filter(is_month_end, dates):
        _merge(statuses, _build(settings, f"dbt bureau period {day}", ["--select", *BUREAU_PERIOD_MODELS,
                                                                          *_date_vars(day)]))  # fmt: skip
        progress(f"bureau period {day} built")
    return areas(list(statuses.values()))


def _date_vars(business_date: dt.date) -> list[str]:
    return ["--vars", f"{{business_date: '{business_date.isoformat()}'}}"]


def _merge(statuses: dict[str, dict], more: list[dict]) -> None:
    """A model built in several steps keeps its worst status and its tests of every step."""
    for status in more:
        key = f"{status['resource_type']}.{status['name']}"
        if key not in statuses or status["status"] != "success":
            statuses[key] = status


def _build(settings: Settings, what: str, args: list[str]) -> list[dict]:
    """One in-process `dbt build` with the nightly flags and `args` (repeated --exclude options add up); a
    status per model, logged."""
    from dbt.cli.main import dbtRunner

    manifest = _parsed(str(settings.warehouse_path))
    os.environ.update(dbt_env(settings))
    try:
        result = dbtRunner(manifest=manifest).invoke(_args("build") + args + NIGHTLY_FLAGS)
    finally:
        release_dbt_connection()
    if result.exception is not None or result.result is None:
        raise DbtBuildError(f"{what} did not run: {result.exception}")
    statuses = node_statuses(result.result.results)
    locked = [s["message"] for s in statuses if "Could not set lock" in s["message"]]
    if locked:
        raise DbtBuildError(f"{what}: the warehouse is held by another process: {locked[0]}")
    for status in statuses:
        log.info("%s", describe(status))
    failed = [s["name"] for s in statuses if s["status"] != "success"]
    log.info(
        "%s: %d models, %d tests, %s",
        what,
        sum(s["resource_type"] in ("model", "snapshot") for s in statuses),
        sum(sum(s["tests"].values()) for s in statuses),
        f"not successful: {', '.join(failed)}" if failed else "all successful",
    )
    return statuses


def node_statuses(results) -> list[dict]:
    """One status per model, snapshot, seed and source, with the data tests attached to it (JSON-safe)."""
    statuses: dict[str, dict] = {}
    tests = []
    for r in results:
        kind = str(r.node.resource_type)
        if kind == "test":
            tests.append(r)
        if kind not in ("model", "snapshot", "seed"):
            continue  # exposures have nothing to run
        status = statuses.setdefault(r.node.unique_id, _status(r.node))
        status["seconds"] = round(r.execution_time, 3)
        status["rows"] = _rows(r)
        if str(r.status) != "success":
            status["status"] = str(r.status)  # error or skipped
            status["message"] = str(r.message or "")
    for r in tests:
        owner = getattr(r.node, "attached_node", None) or _singular_test_owner(r.node)
        status = statuses.get(owner) or statuses.setdefault(owner, _status(None, owner))
        outcome = str(r.status)  # pass, fail, warn, error, skipped
        status["test_seconds"] = round(status["test_seconds"] + r.execution_time, 3)
        status["tests"][outcome] = status["tests"].get(outcome, 0) + 1
        if outcome in ("fail", "error", "warn"):
            status["failed_tests"].append(
                {
                    "test": r.node.name,
                    "status": outcome,
                    "failures": r.failures,
                    "message": str(r.message or ""),
                }
            )
        if outcome in ("fail", "error") and status["status"] == "success":
            status["status"] = "test_failed"
    return list(statuses.values())


def _singular_test_owner(test_node) -> str:
    """A singular test belongs to the last model it reads (not to a seed it looks values up in)."""
    parents = list(test_node.depends_on.nodes)
    models = [p for p in parents if p.split(".")[0] in ("model", "snapshot")]
    return (models or parents or ["source.unattached"])[-1]


def _status(node, unique_id: str | None = None) -> dict:
    """Sources have no result of their own (only tests): they are known by id (source.<project>.<src>.<table>)."""
    if node is None:
        parts = unique_id.split(".")
        kind, name = parts[0], ".".join(parts[2:])
        area = "staging" if kind == "source" else f"{kind}s"
    else:
        kind, name, area = str(node.resource_type), node.name, _area(node.fqn, str(node.resource_type))
    return {
        "name": name,
        "resource_type": kind,
        "area": area,
        "status": "success",
        "rows": None,
        "seconds": 0.0,
        "test_seconds": 0.0,
        "message": "",
        "tests": {},
        "failed_tests": [],
    }


def _area(fqn: list[str], kind: str) -> str:
    """The project's layer: staging, intermediate, marts (models/<layer>/…), or snapshots."""
    return fqn[1] if len(fqn) >= 3 else f"{kind}s"


def areas(statuses: list[dict]) -> list[dict]:
    """Statuses grouped by layer, for one Airflow status task each (a task per model would cost a task
    start per model in every run; a layer's task lists each of its models)."""
    grouped: dict[str, list[dict]] = {}
    for status in statuses:
        grouped.setdefault(status["area"], []).append(status)
    return [{"area": area, "models": models} for area, models in grouped.items()]


def _rows(result) -> int | None:
    rows = (result.adapter_response or {}).get("rows_affected")
    return int(rows) if rows is not None and rows >= 0 else None


def describe(status: dict) -> str:
    tests = ", ".join(f"{n} {outcome}" for outcome, n in sorted(status["tests"].items())) or "no tests"
    rows = "" if status["rows"] is None else f", {status['rows']} rows"
    return (
        f"{status['resource_type']} {status['name']}: {status['status']}{rows}, {status['seconds']:.2f} s, "
        f"tests: {tests} ({status['test_seconds']:.2f} s)"
    )


def check_area(area: dict) -> list[str]:
    """Body of an area's status task: a line per model for the log, or the dbt errors that fail the task.

    Returns None when every model of the area was skipped (an upstream area failed)."""
    lines, problems = [], []
    for status in area["models"]:
        lines.append(describe(status))
        failing = [t for t in status["failed_tests"] if t["status"] != "warn"]
        for t in status["failed_tests"]:
            text = f"{status['name']}: test {t['test']} {t['status']} ({t['failures']} rows) {t['message']}".rstrip()
            (problems if t in failing else lines).append(text)
        if status["status"] == "error":
            problems.append(f"{status['name']}: {status['message']}")
    if problems:
        raise DbtModelFailed(f"dbt area {area['area']}: " + "; ".join(problems) + "\n" + "\n".join(lines))
    if all(s["status"] == "skipped" for s in area["models"]):
        return None
    return lines


def release_dbt_connection() -> None:
    """Close the DuckDB connection dbt-duckdb keeps open in this process after a build.

    When the DAG runs in one process (dag.test, the demo), DuckDB refuses connections to the same file
    configured differently (GX's SQLAlchemy engine, read-only readers) while dbt's is open."""
    import sys

    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if connections is None:
        return
    manager = connections.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
        manager.close_all_connections()
