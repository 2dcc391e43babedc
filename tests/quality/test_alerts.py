"""Failure alerts: log by default, webhook when configured, Airflow callback with the run's coordinates."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import logging
import threading

from creditwh import alerts


class RecordingNotifier:
    def __init__(self):
        self.sent = []

    def notify(self, subject, body):
        self.sent.append((subject, body))


def test_log_notifier_logs_subject_and_body(caplog):
    with caplog.at_level(logging.ERROR, logger="creditwh.alerts"):
        alerts.LogNotifier().notify("gate failed", "suite raw_accounts")
    assert "gate failed" in caplog.text and "suite raw_accounts" in caplog.text


def test_callback_sends_dag_run_date_task_and_error():
    context = {
        "dag_id": "creditwh_daily",
        "task_id": "raw_gate",
        "run_id": "scheduled__2026-01-03",
        "ds": "2026-01-03",
        "exception": RuntimeError("raw_gate failed for 2026-01-03: suite raw_accounts"),
    }
    notifier = RecordingNotifier()
    alerts.on_failure_callback(context, notifier)
    ((subject, body),) = notifier.sent
    assert subject == "[creditwh] creditwh_daily.raw_gate failed for 2026-01-03"
    for part in (
        "dag: creditwh_daily",
        "task: raw_gate",
        "run: scheduled__2026-01-03",
        "business date: 2026-01-03",
        "RuntimeError: raw_gate failed for 2026-01-03: suite raw_accounts",
    ):
        assert part in body


def test_callback_reads_a_task_instance_and_interval(caplog, monkeypatch):
    monkeypatch.delenv(alerts.WEBHOOK_ENV, raising=False)

    class TI:
        dag_id, task_id, run_id = "creditwh_daily", "marts_gate", "manual__1"

    context = {"ti": TI(), "data_interval_end": dt.datetime(2026, 1, 3, 6, 0), "exception": ValueError("x")}
    with caplog.at_level(logging.ERROR, logger="creditwh.alerts"):
        alerts.on_failure_callback(context)  # default notifier: the log
    assert "creditwh_daily.marts_gate failed for 2026-01-03" in caplog.text


def test_webhook_notifier_is_selected_by_env_and_posts_json(monkeypatch):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    monkeypatch.setenv(alerts.WEBHOOK_ENV, f"http://127.0.0.1:{server.server_port}/hook")
    notifier = alerts.default_notifier()
    assert isinstance(notifier, alerts.WebhookNotifier)
    notifier.notify("subject", "body")
    thread.join(5)
    server.server_close()
    assert received == [{"subject": "subject", "body": "body"}]


def test_unreachable_webhook_does_not_raise(caplog):
    with caplog.at_level(logging.ERROR, logger="creditwh.alerts"):
        alerts.WebhookNotifier("http://127.0.0.1:9/nothing", timeout=1).notify("s", "b")
    assert "alert webhook failed" in caplog.text


def _deadline_context(business_date: dt.date) -> dict:
    """What Airflow hands a deadline callback: the run (as the REST API shows it) and the deadline."""
    return {
        "dag_run": {
            "dag_id": "credit_daily",
            "dag_run_id": f"scheduled__{business_date}T03:00:00+00:00",
            "logical_date": f"{business_date}T03:00:00Z",
            "state": "running",
        },
        "deadline": {"id": "0", "deadline_time": f"{business_date + dt.timedelta(days=1)}T06:00:00Z"},
    }


def test_late_run_alert_says_whether_the_drop_is_missing(data_dir, monkeypatch):
    import asyncio

    from sim_dates import SMALL_DAYS, START
    from system.alert_inbox import AlertInbox

    arrived, missing = START, START + dt.timedelta(days=SMALL_DAYS + 5)
    inbox = AlertInbox()
    monkeypatch.setenv(alerts.WEBHOOK_ENV, inbox.url)
    try:
        for day in (arrived, missing):
            asyncio.run(alerts.late_run_alert(context=_deadline_context(day)))
    finally:
        inbox.close()
    late, absent = inbox.alerts
    assert late["subject"].startswith(f"[creditwh] credit_daily {arrived}: run not finished (the drop has arrived)")
    assert absent["subject"].startswith(f"[creditwh] credit_daily {missing}: the drop has not arrived by the deadline")
    assert f"landing/{missing}" in absent["body"] and "no manifest yet" in absent["body"]
    assert "no manifest yet" not in late["body"]
