"""docker-compose.yml as data: the one place the Airflow component commands are defined.

The compose test checks the file; the system tests start exactly these commands as plain processes.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"

# Long-running Airflow components, in start order (api-server first: the others report to it).
AIRFLOW_COMPONENT_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
)


def load_compose(path: Path = COMPOSE_FILE) -> dict:
    return yaml.safe_load(path.read_text())


def command_argv(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        raise ValueError("service has no command")
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def component_commands(compose: dict | None = None) -> dict[str, list[str]]:
    """Service name -> `airflow` sub-command argv (e.g. ["scheduler"]) for every Airflow component."""
    services = (compose or load_compose())["services"]
    return {name: command_argv(services[name]) for name in AIRFLOW_COMPONENT_SERVICES}
