"""The Airflow components of docker-compose.yml, started as plain processes against this machine's PostgreSQL.

One fresh metadata database per cluster (dropped at the end), AIRFLOW_HOME and component logs in a
temporary directory, the REST API (v2, simple auth manager with everyone admin) on a free port.
Every process is started in its own process group and terminated with it on stop().
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import psycopg2
from creditwh.pipeline.policy import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS
from cryptography.fernet import Fernet

from .compose_spec import REPO_ROOT, component_commands

AIRFLOW_BIN = REPO_ROOT / ".venv" / "bin" / "airflow"
PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
DAG_ID = "credit_daily"
FINISHED = {"success", "failed"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin(sql: str) -> None:
    con = psycopg2.connect(PG_ADMIN_DSN)
    con.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        con.cursor().execute(sql)
    finally:
        con.close()


def logical_date(business_date: dt.date) -> dt.datetime:
    """The run for business date D has logical date D 03:00 UTC (the DAG's cron; ds = D)."""
    return dt.datetime.combine(business_date, dt.time(3), tzinfo=dt.UTC)


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class AirflowCluster:
    def __init__(self, work_dir: Path, data_dir: Path, extra_env: dict[str, str] | None = None):
        self.work_dir = work_dir
        self.data_dir = data_dir
        self.home = work_dir / "airflow_home"
        self.log_dir = work_dir / "component_logs"
        self.db_name = f"creditwh_airflow_{os.getpid()}"
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self._db_created = False
        self._token: str | None = None
        self.env = {**self._environment(), **(extra_env or {})}

    def _environment(self) -> dict[str, str]:
        # Start from this process's environment minus any Airflow settings the test session made for
        # its own dag.test() runs (tests/conftest.py points AIRFLOW_HOME at a SQLite database).
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": (
                    f"postgresql+psycopg2://postgres@127.0.0.1:5432/{self.db_name}"
                ),
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
                # As in docker-compose.yml: creditwh is imported as a library (editable install), and Airflow's
                # plugins folder is empty, because the plugin loader would execute every module of the package
                # as a top-level module (one named like a stdlib module would shadow it).
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(self.work_dir / "airflow_plugins"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
                "AIRFLOW__CORE__PARALLELISM": "4",  # 2 shared cores; the DAG runs one date at a time anyway
                "AIRFLOW__CORE__AUTH_MANAGER": (
                    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
                ),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
                "AIRFLOW__API_AUTH__JWT_SECRET": os.urandom(32).hex(),
                "AIRFLOW__API__SECRET_KEY": os.urandom(32).hex(),
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__BASE_URL": self.base_url,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
                # No cron runs: unpausing would otherwise queue a run for the latest interval (yesterday),
                # whose sensor waits hours for a drop that never comes and holds the one active-run slot.
                "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
                "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
                # The scheduler's and triggerer's log servers listen on fixed ports (8793/8794) by default;
                # free ones let two clusters (another test session, a local Airflow) share the machine.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                "CREDITWH_DATA_DIR": str(self.data_dir),
                "CREDITWH_BLACKLIST_KEY": os.urandom(32).hex(),  # a strong key (the publisher refuses weak ones)
            }
        )
        return env

    # ---- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        (self.work_dir / "airflow_plugins").mkdir(exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        _admin(f'create database "{self.db_name}"')
        self._db_created = True
        self.airflow("db", "migrate", log_name="db-migrate", timeout=600)
        self.airflow("pools", "set", WAREHOUSE_POOL, str(WAREHOUSE_POOL_SLOTS), "DuckDB warehouse", log_name="pool")
        for service, argv in component_commands().items():
            log = (self.log_dir / f"{service}.log").open("w")
            self.procs[service] = subprocess.Popen(
                [str(AIRFLOW_BIN), *argv],
                env=self.env,
                cwd=self.work_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() ends the component and its children
            )
            log.close()

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 45
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        for proc in self.procs.values():
            # Whatever is left in the group (task runners, dbt) goes too, even if the leader has exited.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait(timeout=10)
        if self._db_created:
            _admin(f'drop database if exists "{self.db_name}" with (force)')
            self._db_created = False

    def airflow(self, *args: str, log_name: str, timeout: float = 300) -> str:
        """Run an `airflow` CLI command against this cluster; its output goes to log_dir and is returned."""
        log = self.log_dir / f"{log_name}.log"
        result = subprocess.run(
            [str(AIRFLOW_BIN), *args],
            env=self.env,
            cwd=self.work_dir,
            check=False,  # a failure is raised below with the output's tail
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        log.write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} exited {result.returncode}:\n{tail(log)}")
        return result.stdout

    def check_alive(self) -> None:
        dead = {name: p.returncode for name, p in self.procs.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"components exited: {dead}\n{self.component_log_tails()}")

    def component_log_tails(self, lines: int = 40) -> str:
        return "\n".join(
            f"----- {path.name} (last {lines} lines) -----\n{tail(path, lines)}"
            for path in sorted(self.log_dir.glob("*.log"))
        )

    # ---- REST API ----------------------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs) -> httpx.Response:
        if self._token is None:
            # simple_auth_manager_all_admins: GET /auth/token hands out an admin JWT without credentials.
            response = httpx.get(f"{self.base_url}/auth/token", timeout=30)
            response.raise_for_status()
            self._token = response.json()["access_token"]
        headers = {"Authorization": f"Bearer {self._token}"}
        return httpx.request(method, f"{self.base_url}{path}", headers=headers, timeout=60, **kwargs)

    def wait_healthy(self, timeout: float = 240) -> dict:
        """Until /api/v2/monitor/health reports the metadatabase, scheduler, triggerer, dag-processor healthy."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                response = httpx.get(f"{self.base_url}/api/v2/monitor/health", timeout=10)
                last = response.json() if response.status_code == 200 else response.text
                if response.status_code == 200:
                    parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
                    if all((last.get(p) or {}).get("status") == "healthy" for p in parts):
                        return last
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(2)
        raise TimeoutError(f"api-server not healthy after {timeout} s: {last}\n{self.component_log_tails()}")

    def wait_dag_parsed(self, dag_id: str = DAG_ID, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            errors = self.api("GET", "/api/v2/importErrors").json()
            if errors.get("total_entries"):
                raise RuntimeError(f"DAG import errors: {errors}")
            response = self.api("GET", f"/api/v2/dags/{dag_id}")
            if response.status_code == 200:
                return response.json()
            time.sleep(3)
        raise TimeoutError(f"{dag_id} not parsed after {timeout} s\n{self.component_log_tails()}")

    def unpause(self, dag_id: str = DAG_ID) -> None:
        response = self.api("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})
        response.raise_for_status()
        assert response.json()["is_paused"] is False

    def trigger(self, business_date: dt.date, dag_id: str = DAG_ID) -> str:
        response = self.api(
            "POST",
            f"/api/v2/dags/{dag_id}/dagRuns",
            json={"logical_date": logical_date(business_date).isoformat(), "conf": {}},
        )
        if response.status_code >= 400:
            raise RuntimeError(f"trigger {business_date}: {response.status_code} {response.text}")
        return response.json()["dag_run_id"]

    def runs(self, dag_id: str = DAG_ID) -> list[dict]:
        response = self.api(
            "GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100, "order_by": "logical_date"}
        )
        response.raise_for_status()
        return response.json()["dag_runs"]

    def task_instances(self, run_id: str, dag_id: str = DAG_ID) -> list[dict]:
        response = self.api(
            "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 500}
        )
        response.raise_for_status()
        return response.json()["task_instances"]

    def wait_runs_finished(self, run_ids: list[str], timeout: float, dag_id: str = DAG_ID) -> dict[str, str]:
        """Poll until every run is success/failed; return run_id -> state."""
        deadline = time.monotonic() + timeout
        states: dict[str, str] = {}
        while time.monotonic() < deadline:
            self.check_alive()
            states = {r["dag_run_id"]: r["state"] for r in self.runs(dag_id) if r["dag_run_id"] in run_ids}
            if len(states) == len(run_ids) and set(states.values()) <= FINISHED:
                return states
            time.sleep(5)
        raise TimeoutError(f"runs not finished after {timeout} s: {states}\n{self.failure_report(run_ids)}")

    def failure_report(self, run_ids: list[str], dag_id: str = DAG_ID) -> str:
        """Task states of the given runs and the log tails of every task that did not succeed."""
        out = []
        for run_id in run_ids:
            try:
                tis = self.task_instances(run_id, dag_id)
            except httpx.HTTPError as exc:
                out.append(f"{run_id}: cannot list task instances: {exc}")
                continue
            out.append(f"== {run_id}: " + ", ".join(f"{t['task_id']}={t['state']}" for t in tis))
            for ti in tis:
                if ti["state"] in ("success", "skipped"):
                    continue
                logs = sorted(
                    self.home.glob(f"logs/dag_id={dag_id}/run_id={run_id}/task_id={ti['task_id']}*/**/*")
                )
                for log in (p for p in logs if p.is_file()):
                    out.append(f"----- {log.relative_to(self.home)} -----\n{tail(log, 40)}")
        out.append(self.component_log_tails(25))
        return "\n".join(out)

    def backfill(self, start: dt.date, end: dt.date, *extra: str) -> str:
        """`airflow backfill create` for business dates start..end; returns the CLI output."""
        return self.airflow(
            "backfill",
            "create",
            "--dag-id",
            DAG_ID,
            "--from-date",
            logical_date(start).isoformat(),
            "--to-date",
            logical_date(end).isoformat(),
            *extra,
            log_name=f"backfill-{start}-{end}-{int(time.time())}",
        )

    def latest_backfill(self, dag_id: str = DAG_ID) -> dict:
        response = self.api("GET", "/api/v2/backfills", params={"dag_id": dag_id, "limit": 100})
        response.raise_for_status()
        backfills = response.json()["backfills"]
        return max(backfills, key=lambda b: b["id"])

    def wait_backfill(self, backfill_id: int, timeout: float, dag_id: str = DAG_ID) -> dict[str, str]:
        """Until the backfill is marked complete; return business date -> run state of its runs."""
        deadline = time.monotonic() + timeout
        backfill: dict = {}
        while time.monotonic() < deadline:
            self.check_alive()
            backfill = self.api("GET", f"/api/v2/backfills/{backfill_id}").json()
            if backfill.get("completed_at"):
                break
            time.sleep(5)
        else:
            run_ids = [r["dag_run_id"] for r in self.runs(dag_id) if r["state"] not in FINISHED]
            raise TimeoutError(
                f"backfill {backfill_id} not complete after {timeout} s: {backfill}\n"
                f"{self.failure_report(run_ids)}"
            )
        from_date = dt.datetime.fromisoformat(backfill["from_date"])
        to_date = dt.datetime.fromisoformat(backfill["to_date"])
        return {
            r["logical_date"][:10]: r["state"]
            for r in self.runs(dag_id)
            if from_date <= dt.datetime.fromisoformat(r["logical_date"]) <= to_date
        }
