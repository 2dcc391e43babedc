"""docker-compose.yml checked as data (no Docker engine here): services, health checks, restart policies,
secrets only as ${VAR} references, the data volume, and the component commands the system test starts."""

from __future__ import annotations

import re

import pytest

from .compose_spec import (
    AIRFLOW_COMPONENT_SERVICES,
    COMPOSE_FILE,
    REPO_ROOT,
    command_argv,
    component_commands,
    load_compose,
)

REQUIRED_SERVICES = {"postgres", "airflow-init", *AIRFLOW_COMPONENT_SERVICES}
DATA_DIR = "/opt/creditwh/var"
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY|TOKEN|CONN_URI|SQL_ALCHEMY_CONN)$", re.IGNORECASE)
VAR_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?-][^}]*)?\}")


@pytest.fixture(scope="module")
def compose():
    return load_compose()


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _yaml_text() -> str:
    """The compose file without its comment lines (they show examples, not configuration)."""
    return "\n".join(
        line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#")
    )


def test_required_services_exist(compose):
    assert compose["services"].keys() >= REQUIRED_SERVICES


def test_long_running_services_have_healthchecks_and_restart(compose):
    for name in REQUIRED_SERVICES - {"airflow-init"}:
        service = compose["services"][name]
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert service.get("restart") in ("always", "unless-stopped"), (
            f"{name} restart={service.get('restart')}"
        )
    apiserver_check = " ".join(compose["services"]["airflow-apiserver"]["healthcheck"]["test"])
    assert "/api/v2/monitor/health" in apiserver_check


def test_components_wait_for_init_and_database(compose):
    for name in AIRFLOW_COMPONENT_SERVICES:
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"


def test_airflow_services_use_the_project_image_with_local_executor(compose):
    for name in ("airflow-init", *AIRFLOW_COMPONENT_SERVICES):
        service = compose["services"][name]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        assert (REPO_ROOT / service["build"]["context"] / service["build"]["dockerfile"]).exists()
        env = _env(service)
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        assert env["CREDITWH_DATA_DIR"] == DATA_DIR


def test_no_secret_literals(compose):
    """Every password-like value is a ${VAR} reference, never a literal (placeholders live in .env.example)."""
    for name, service in compose["services"].items():
        for key, value in _env(service).items():
            if SECRET_NAME.search(key):
                assert VAR_REF.search(value), f"{name}: {key} must come from the environment, got {value!r}"
    # A URL with an inline password must take the password from a variable too.
    for match in re.finditer(r"://[^:/@\s]+:(\$\{[^}]*\}|[^@\s]+)@", _yaml_text()):
        assert VAR_REF.fullmatch(match.group(1)), match.group(0)


def test_data_volume_and_code_mounts(compose):
    assert "creditwh-data" in compose["volumes"]
    for name in ("airflow-init", *AIRFLOW_COMPONENT_SERVICES):
        volumes = compose["services"][name]["volumes"]
        targets = {v.split(":")[1]: v.split(":")[0] for v in volumes}
        assert targets[DATA_DIR] == "creditwh-data"
        assert targets["/opt/airflow/dags"] == "./dags"
        # The creditwh package and its dbt/GX projects sit together (config.REPO_ROOT = /opt/creditwh),
        # outside Airflow's plugins folder, whose loader would run every module as a top-level one.
        for folder in ("plugins", "dbt_project", "expectations"):
            assert targets[f"/opt/creditwh/{folder}"] == f"./{folder}", f"{name} does not mount {folder}"
        assert "/opt/airflow/plugins" not in targets


def test_component_commands_are_the_ones_the_system_test_starts(compose):
    # The system test starts `airflow <argv>` for exactly component_commands(); pin the expected set here.
    assert component_commands(compose) == {
        "airflow-apiserver": ["api-server"],
        "airflow-scheduler": ["scheduler"],
        "airflow-dag-processor": ["dag-processor"],
        "airflow-triggerer": ["triggerer"],
    }
    init = command_argv(compose["services"]["airflow-init"])
    script = REPO_ROOT / "docker" / init[-1].rsplit("/", 1)[-1]
    assert "airflow db migrate" in script.read_text()
    # the pool the DAGs' warehouse tasks need exists before the scheduler starts, as in the system test
    from creditwh.pipeline.policy import WAREHOUSE_POOL, WAREHOUSE_POOL_SLOTS

    assert f"airflow pools set {WAREHOUSE_POOL} {WAREHOUSE_POOL_SLOTS} " in script.read_text()


def test_env_example_lists_every_required_variable(compose):
    required = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*):\?", _yaml_text()))
    example = (REPO_ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)=", example, re.MULTILINE))
    assert required and required <= defined, required - defined
    assert "change-me" in example  # placeholders only, never real values
