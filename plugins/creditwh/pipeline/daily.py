"""Task bodies of the daily DAG. Each takes the business date and returns a small summary for XCom.

Which errors are retried is the DAG's retry policy (creditwh.pipeline.policy): bad input and bad data
raise non-retriable PipelineErrors and fail at once.
"""

from __future__ import annotations

import datetime as dt
import logging

from creditwh.config import Settings
from creditwh.contract import manifest_name

log = logging.getLogger(__name__)

PLATFORM_CONN_ID = "card_platform"


# The earliest business date the DAGs run: their start_date. Airflow creates no task instances for a
# manual run before a DAG's start_date and marks that empty run a success, so it lies far enough back
# for any history a bank loads (catchup is off: an early start date schedules nothing by itself).
FIRST_BUSINESS_DATE = dt.date(2000, 1, 1)


def drop_arrived(business_date: dt.date, settings: Settings) -> bool:
    return (settings.drop_dir(business_date) / manifest_name(business_date)).exists()


def poke_drop(business_date: dt.date, settings: Settings, wait: bool) -> bool:
    """The drop sensor's poke: True once the manifest is there. A run that does not wait (a date run by
    hand) fails at once with DropMissing; a scheduled run logs what it waits for and pokes again."""
    if drop_arrived(business_date, settings):
        return True
    manifest = settings.drop_dir(business_date) / manifest_name(business_date)
    if not wait:
        from creditwh.errors import DropMissing

        raise DropMissing(business_date, manifest)
    log.info("waiting for the drop of %s: %s not there yet (the platform writes it last)", business_date, manifest)
    return False


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


def verify(business_date: dt.date, settings: Settings) -> dict:
    from creditwh.landing.verify import verify_drop

    drop = verify_drop(settings.drop_dir(business_date), business_date)
    counts = {name: entry["records"] for name, entry in drop.manifest["files"].items()}
    log.info("verified drop %s (batch %s): %s", business_date, drop.batch_id, counts)
    return {"batch_id": drop.batch_id, "records": counts}


def load(business_date: dt.date, settings: Settings) -> dict:
    """Stage the day as a pending batch (creditwh.load.batches); the raw gate accepts or rolls it back."""
    from creditwh.load import load_drop

    result = load_drop(settings.warehouse_path, settings.drop_dir(business_date), business_date)
    log.info("%s", result.summary())
    return {"batch_id": result.batch_id, "records": result.records, "replaced": result.replaced,
            "rolled_back": [r.describe() for r in result.rolled_back]}  # fmt: skip


def validate(stage: str, business_date: dt.date, settings: Settings) -> dict:
    """Run the gate and act on its verdict, pass or fail: the raw gate accepts the day's pending batch or
    rolls the date back to its previous accepted load; the marts gate's verdict decides what may be
    published (creditwh.load.acceptance). A gate that could not run at all (lock held) decides nothing."""
    from creditwh.load import acceptance
    from creditwh.quality import ValidationGateFailed, run_marts_gate, run_raw_gate

    gate = {"raw": run_raw_gate, "marts": run_marts_gate}[stage]
    settle = {"raw": acceptance.settle_raw_batch, "marts": acceptance.record_marts_verdict}[stage]
    try:
        result = gate(business_date, settings)
    except ValidationGateFailed as failed:
        log.error("%s", settle(settings, failed.result) or f"marts of {business_date} will not be published")
        raise
    log.info("%s", settle(settings, result) or f"marts of {business_date} passed their gate")
    log.info("%s gate %s: %s", stage, business_date, result.summary())
    return result.summary()


def transform(business_date: dt.date, settings: Settings) -> list[dict]:
    """The date's dbt build, only on an accepted raw batch with nothing pending (creditwh.load.acceptance)."""
    from creditwh.load.acceptance import prepare_marts_build
    from creditwh.transform.dbt import build

    prepare_marts_build(settings, business_date)
    return build(business_date, settings)


def check_dbt_area(area: dict) -> list[str]:
    from creditwh.transform.dbt import check_area

    lines = check_area(area)
    if lines is None:
        from airflow.sdk.exceptions import AirflowSkipException

        raise AirflowSkipException(f"dbt area {area['area']}: not built, a model it depends on failed")
    for line in lines:
        log.info("%s", line)
    return lines


def is_month_end(business_date: dt.date) -> bool:
    return (business_date + dt.timedelta(days=1)).day == 1


def publish_serving(business_date: dt.date, settings: Settings) -> dict:
    """The date's marts to the serving database (creditwh.serving.publish), after the marts gate passed.
    Not configured: a production deployment fails here, naming the settings; CREDITWH_SERVING=off (the
    demo, the tests) skips the task with that reason in its log."""
    from creditwh.serving.publish import publish_date
    from creditwh.serving.settings import ServingDisabled, serving_settings

    try:
        target = serving_settings()
    except ServingDisabled as off:
        from airflow.sdk.exceptions import AirflowSkipException

        # the skip and its reason are in the task's log and state; a warning would repeat on every date of the demo
        log.info("%s", off)
        raise AirflowSkipException(str(off)) from None
    return publish_date(settings.warehouse_path, settings.data_dir / "serving_staging", target, business_date)
