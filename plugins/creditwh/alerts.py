"""Failure alerts: a tiny notifier interface, a log notifier by default, a webhook when configured.

CREDITWH_ALERT_WEBHOOK names the URL to POST a JSON ``{"subject", "body"}`` to (e.g. a chat incoming
webhook). The URL is the only secret and stays in the environment, never in code or the DAG.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import urllib.request
from typing import Protocol

log = logging.getLogger(__name__)

WEBHOOK_ENV = "CREDITWH_ALERT_WEBHOOK"


class Notifier(Protocol):
    def notify(self, subject: str, body: str) -> None: ...


class LogNotifier:
    """Writes the alert to the task log at ERROR, where Airflow's own log shipping picks it up."""

    def notify(self, subject: str, body: str) -> None:
        log.error("ALERT %s\n%s", subject, body)


class WebhookNotifier:
    """POSTs the alert as JSON. A failing webhook is logged, never raised: the alert must not mask the
    task's own error."""

    def __init__(self, url: str, timeout: float = 10.0):
        if not url.startswith(("https://", "http://")):  # never file: or another scheme from a setting
            raise ValueError(f"alert webhook must be an http(s) URL, got {url.split(':', 1)[0]}:")
        self.url, self.timeout = url, timeout

    def notify(self, subject: str, body: str) -> None:
        payload = json.dumps({"subject": subject, "body": body}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=payload, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - as above
                response.read()
        except OSError as exc:
            log.error("alert webhook failed (%s); alert was: %s\n%s", exc, subject, body)


def default_notifier() -> Notifier:
    url = os.environ.get(WEBHOOK_ENV)
    return WebhookNotifier(url) if url else LogNotifier()


def _business_date(context: dict):
    for key in ("business_date", "ds"):
        if context.get(key):
            return context[key]
    params = context.get("params") or {}
    if params.get("business_date"):
        return params["business_date"]
    interval_end = context.get("data_interval_end") or context.get("logical_date")
    return interval_end.date().isoformat() if hasattr(interval_end, "date") else interval_end


def failure_message(context: dict) -> tuple[str, str]:
    """Subject and body from an Airflow callback context (task instance, run, exception)."""
    ti = context.get("task_instance") or context.get("ti")
    dag = context.get("dag")
    dag_id = getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None) or context.get("dag_id", "?")
    task_id = getattr(ti, "task_id", None) or context.get("task_id", "?")
    run_id = getattr(ti, "run_id", None) or context.get("run_id", "?")
    business_date = _business_date(context)
    exception = context.get("exception")
    subject = f"[creditwh] {dag_id}.{task_id} failed for {business_date}"
    body = "\n".join(
        [
            f"dag: {dag_id}",
            f"task: {task_id}",
            f"run: {run_id}",
            f"business date: {business_date}",
            f"error: {type(exception).__name__ if exception else '?'}: {exception}",
            f"docs: {_docs_links()}",
        ]
    )
    return subject, body


def _docs_links() -> str:
    from creditwh.serving.docs_site import docs_links

    return docs_links()


def on_failure_callback(context: dict, notifier: Notifier | None = None) -> None:
    """Use as ``on_failure_callback`` of the DAG's default_args (tasks) or of the DAG itself."""
    subject, body = failure_message(context)
    (notifier or default_notifier()).notify(subject, body)


def late_run_message(context: dict) -> tuple[str, str]:
    """Subject and body for a missed deadline, from the context Airflow hands a deadline callback
    ({"dag_run": {...}, "deadline": {...}}): says whether the day's drop is still missing."""
    from creditwh.config import settings
    from creditwh.pipeline.daily import drop_arrived

    run = context.get("dag_run") or {}
    deadline = (context.get("deadline") or {}).get("deadline_time")
    logical_date = run.get("logical_date")
    business_date = dt.datetime.fromisoformat(str(logical_date)).date() if logical_date else None
    s = settings()
    arrived = business_date is not None and drop_arrived(business_date, s)
    what = "run not finished (the drop has arrived)" if arrived else "the drop has not arrived"
    subject = f"[creditwh] {run.get('dag_id', '?')} {business_date}: {what} by the deadline {deadline}"
    body = "\n".join(
        [
            f"dag: {run.get('dag_id', '?')}",
            f"run: {run.get('dag_run_id') or run.get('run_id', '?')} (state {run.get('state', '?')})",
            f"business date: {business_date}",
            f"deadline: {deadline}",
            f"drop directory: {s.drop_dir(business_date) if business_date else '?'}"
            + ("" if arrived else " (no manifest yet: ask the card platform for the day's files)"),
        ]
    )
    return subject, body


async def late_run_alert(context: dict | None = None, **_) -> None:
    """Deadline alert callback (runs in the triggerer): notify without blocking its event loop."""
    import asyncio

    subject, body = late_run_message(context or {})
    await asyncio.to_thread(default_notifier().notify, subject, body)
