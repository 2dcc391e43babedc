"""The dbt project as an Airflow task group (Astronomer Cosmos, watcher execution mode).

Why watcher mode: a producer task runs ONE in-process `dbt build` for the business date and publishes
each node's result; one light sensor task per model shows that model's status in Airflow. ExecutionMode.LOCAL
would pay a dbt start-up (parse, connect) per model, which a daily run of ~30 nodes cannot afford.
Rendering reads a manifest parsed ahead of time (`creditwh dbt-parse`, run by ./dev), so DAG parsing
stays fast and never runs dbt.
"""

from __future__ import annotations

import os
from pathlib import Path

from creditwh.config import REPO_ROOT, Settings

PROJECT_DIR = REPO_ROOT / "dbt_project"
MANIFEST = PROJECT_DIR / "target" / "manifest.json"


def dbt_env(settings: Settings) -> dict[str, str]:
    return {"CREDITWH_WAREHOUSE_PATH": str(settings.warehouse_path)}


def parse_project(settings: Settings) -> Path:
    """Write target/manifest.json (what Cosmos renders tasks from)."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_env(settings))
    result = dbtRunner().invoke(["parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--quiet"])
    if not result.success:
        raise RuntimeError(f"dbt parse failed: {result.exception}")
    return MANIFEST


def task_group(group_id: str, settings: Settings):
    """The dbt build of one business date (`{{ ds }}`), rendered per model."""
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, LoadMode, TestBehavior

    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(PROJECT_DIR, manifest_path=MANIFEST, env_vars=dbt_env(settings)),
        profile_config=ProfileConfig(
            profile_name="creditwh", target_name="duckdb", profiles_yml_filepath=PROJECT_DIR / "profiles.yml"
        ),
        execution_config=ExecutionConfig(execution_mode=ExecutionMode.WATCHER),
        # AFTER_EACH: the producer's one build runs the data tests too and a sensor shows each model's tests
        # (watcher mode has no BUILD; NONE/AFTER_ALL would take the tests out of the producer's build).
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_EACH),
        operator_args={
            "vars": {"business_date": "{{ ds }}"},
            "install_deps": False,
            # Unit tests check logic, not data: CI runs them; the nightly build runs models and data tests.
            "dbt_cmd_flags": ["--exclude-resource-type", "unit_test", "--threads", "2"],
        },
    )
    _start_sensors_after_producer(group)
    return group


def _start_sensors_after_producer(group) -> None:
    """Cosmos starts a task group's model sensors alongside the producer; a runner that executes one task
    at a time (dag.test) may then start a sensor first and wait forever. Make the producer run first, as
    Cosmos already does for a whole DbtDag. Default trigger rule: if the build fails, the sensors show
    upstream_failed and the producer's log names the failing models; if the build never ran (bad drop, failed
    gate) they are skipped instead of waiting for results that will never come."""
    tasks = {t.task_id.split(".")[-1]: t for t in group.children.values() if hasattr(t, "task_id")}
    producer = tasks.get("dbt_producer_watcher")
    for task in _leaf_tasks(group):
        if task is producer or task.task_id.endswith("dbt_producer_watcher_done"):
            continue
        if not {t for t in task.upstream_task_ids if t.startswith(group.group_id + ".")}:
            producer >> task


def _leaf_tasks(group):
    for child in group.children.values():
        if hasattr(child, "children"):
            yield from _leaf_tasks(child)
        else:
            yield child


def release_dbt_connection() -> None:
    """Close the DuckDB connection dbt-duckdb keeps open in this process after a build.

    Under the real scheduler each task is its own process and this is a no-op. When the DAG runs in one
    process (dag.test, the demo), DuckDB refuses connections to the same file configured differently
    (GX's SQLAlchemy engine, read-only readers) while dbt's is open, so tasks after dbt release it first."""
    import sys

    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    if connections is None:
        return
    manager = connections.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
        manager.close_all_connections()
