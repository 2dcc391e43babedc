"""Whether and where the daily run serves: production must configure it, the demo and tests switch it off
and the task says so (skipped with the reason), never a silent success."""

from __future__ import annotations

import datetime as dt

import pytest
from creditwh.serving.settings import ServingDisabled, ServingNotConfigured, serving_settings


@pytest.fixture
def no_serving_env(monkeypatch):
    for key in ("CREDITWH_SERVING", "CREDITWH_SERVING_HOST", "AIRFLOW_CONN_CREDITWH_SERVING"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_nothing_configured_fails_naming_the_settings(no_serving_env):
    with pytest.raises(ServingNotConfigured, match="set CREDITWH_SERVING_HOST .* or the Airflow connection"):
        serving_settings()


def test_switched_off_skips_the_daily_task_with_its_reason(no_serving_env, tmp_path):
    from airflow.sdk.exceptions import AirflowSkipException
    from creditwh.config import Settings
    from creditwh.pipeline.daily import publish_serving

    no_serving_env.setenv("CREDITWH_SERVING", "off")
    with pytest.raises(ServingDisabled):
        serving_settings()
    with pytest.raises(AirflowSkipException, match="serving database not used: CREDITWH_SERVING=off"):
        publish_serving(dt.date(2026, 1, 1), Settings(data_dir=tmp_path))


def test_settings_from_the_environment_never_show_the_password(no_serving_env):
    no_serving_env.setenv("CREDITWH_SERVING_HOST", "serving.example")
    no_serving_env.setenv("CREDITWH_SERVING_WRITER_PASSWORD", "pw-from-env")
    s = serving_settings()
    assert (s.host, s.port, s.database, s.user) == (
        "serving.example",
        5432,
        "creditwh_serving",
        "creditwh_writer",
    )
    assert "pw-from-env" in s.conninfo() and "pw-from-env" not in s.describe()


def test_settings_from_the_airflow_connection(no_serving_env):
    no_serving_env.setenv(
        "AIRFLOW_CONN_CREDITWH_SERVING", "postgresql://writer_x:pass@db.example:6432/served"
    )
    s = serving_settings()
    assert (s.host, s.port, s.database, s.user, s.secret) == (
        "db.example",
        6432,
        "served",
        "writer_x",
        "pass",
    )
