"""The late-drop deadline alert under the real scheduler and triggerer: a business date whose drop never
arrives raises the alert through the configured webhook while the sensor keeps waiting."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import BACKFILL_DAYS, DEADLINE_MINUTES, START, TRIGGER_DAYS

pytestmark = [pytest.mark.system, pytest.mark.slow]


def test_a_missing_drop_raises_the_late_run_alert(airflow_cluster):
    missing = START + dt.timedelta(days=max(BACKFILL_DAYS, TRIGGER_DAYS) + 30)  # never simulated
    run_id = airflow_cluster.trigger(missing)
    inbox = airflow_cluster.inbox

    alert = inbox.wait_for(
        lambda a: str(missing) in a["subject"] and "the drop has not arrived" in a["subject"],
        timeout=DEADLINE_MINUTES * 60 + 5 * 60,
    )
    assert "no manifest yet" in alert["body"] and str(missing) in alert["body"]

    # The alert informs; it does not end the run: the sensor is still waiting for the drop.
    (run,) = [r for r in airflow_cluster.runs() if r["dag_run_id"] == run_id]
    assert run["state"] == "running"
    sensor = {t["task_id"]: t["state"] for t in airflow_cluster.task_instances(run_id)}["wait_for_drop"]
    assert sensor in ("up_for_reschedule", "running", "queued", "scheduled")

    # Runs of dates whose drop did arrive are reported as late runs, never as missing drops.
    for other in inbox.alerts:
        if "by the deadline" in other["subject"] and str(missing) not in other["subject"]:
            assert "the drop has arrived" in other["subject"], other

    # The operator gives up on the day (the platform will not deliver): mark the run failed.
    response = airflow_cluster.api(
        "PATCH", f"/api/v2/dags/credit_daily/dagRuns/{run_id}", json={"state": "failed"}
    )
    response.raise_for_status()
