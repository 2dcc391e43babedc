"""Task bodies of the daily DAG. Each takes the business date and returns a small summary for XCom.

Bad input (DropRejected) is turned into AirflowFailException so the task fails at once without retries:
a broken file does not mend itself. Transient errors keep the task's normal retry policy.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from creditwh.config import Settings
from creditwh.contract import manifest_name
from creditwh.errors import PipelineError

log = logging.getLogger(__name__)

PLATFORM_CONN_ID = "card_platform"



def fail_fast_on_bad_input(fn):
    """Task body wrapper: bad input fails without retries; dbt's in-process connection is released first."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from creditwh.transform.dbt import release_dbt_connection

        release_dbt_connection()
        try:
            return fn(*args, **kwargs)
        except PipelineError as exc:
            if exc.retriable:
                raise
            from airflow.sdk.exceptions import AirflowFailException

            log.error("%s", exc)
            raise AirflowFailException(str(exc)) from exc

    return wrapper


def drop_arrived(business_date: dt.date, settings: Settings) -> bool:
    return (settings.drop_dir(business_date) / manifest_name(business_date)).exists()


@fail_fast_on_bad_input
def extract_from_postgres(business_date: dt.date, settings: Settings, conn_id: str = PLATFORM_CONN_ID) -> str:
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    from creditwh.sources.postgres import extract_day

    conn = PostgresHook(postgres_conn_id=conn_id).get_conn()
    try:
        drop_dir = extract_day(conn, business_date, settings.landing_dir, settings.source_schema)
    finally:
        conn.close()
    log.info("extracted %s from connection %s into %s", business_date, conn_id, drop_dir)
    return str(drop_dir)


@fail_fast_on_bad_input
def verify(business_date: dt.date, settings: Settings) -> dict:
    from creditwh.landing.verify import verify_drop

    drop = verify_drop(settings.drop_dir(business_date), business_date)
    counts = {name: entry["records"] for name, entry in drop.manifest["files"].items()}
    log.info("verified drop %s (batch %s): %s", business_date, drop.batch_id, counts)
    return {"batch_id": drop.batch_id, "records": counts}


@fail_fast_on_bad_input
def load(business_date: dt.date, settings: Settings) -> dict:
    from creditwh.load import load_drop

    result = load_drop(settings.warehouse_path, settings.drop_dir(business_date), business_date)
    log.info("%s", result.summary())
    return {"batch_id": result.batch_id, "records": result.records, "replaced": result.replaced}


@fail_fast_on_bad_input
def validate(stage: str, business_date: dt.date, settings: Settings) -> dict:
    from creditwh.quality import run_marts_gate, run_raw_gate

    gate = {"raw": run_raw_gate, "marts": run_marts_gate}[stage]
    result = gate(business_date, settings)
    log.info("%s gate %s: %s", stage, business_date, result.summary())
    return result.summary()


def is_month_end(business_date: dt.date) -> bool:
    return (business_date + dt.timedelta(days=1)).day == 1
