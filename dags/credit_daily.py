"""Daily credit warehouse run: one run per business date (the run's logical date).

Wiring only; the work lives in creditwh.pipeline. The timetable fires at 03:00 UTC the day after the
business date; `airflow backfill create` replays past dates. DuckDB has a single writer: one active run at
a time, and every task that opens the warehouse takes the one-slot warehouse pool (shared with the bureau
DAG and backfills). Transient errors retry with exponential backoff; bad input and bad data fail at once
(creditwh.pipeline.policy). A deadline alert fires when a run is not done some hours after it was queued.

    choose_source -> wait_for_drop | extract_from_postgres -> verify_drop -> load_raw -> validate_raw
      -> transform.dbt_build (one in-process dbt build) -> transform.area[<area>] (models' status by area)
      -> validate_marts -> publish_blacklist -> month_end
                        -> publish_collection_lists (tomorrow's treatment and reminder lists, restricted)
                        -> publish_serving (the date's marts to the BI serving database, creditwh.serving)
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import (
    AsyncCallback,
    CronDataIntervalTimetable,
    DeadlineAlert,
    DeadlineReference,
    Param,
    PokeReturnValue,
    dag,
    get_current_context,
    task,
    task_group,
)
from airflow.sdk.exceptions import AirflowSkipException
from creditwh.alerts import late_run_alert, on_failure_callback
from creditwh.config import settings
from creditwh.pipeline import daily
from creditwh.pipeline.assets import MONTH_END
from creditwh.pipeline.policy import RETRY_POLICY, WAREHOUSE_POOL, drop_deadline
from creditwh.serving.assets import SERVED


def _date(ds: str) -> dt.date:
    return dt.date.fromisoformat(ds)


@dag(
    dag_id="credit_daily",
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "source": Param("files", enum=["files", "postgres"], description="Where the day's snapshots come from"),
        "wait_for_drop": Param(
            True, type="boolean", description="Wait for a missing drop (scheduled runs); false fails at once"
        ),
    },
    default_args={
        # In default_args (not the DAG's own start_date) so that Airflow refuses a manual trigger for an
        # earlier logical date instead of creating an empty run that "succeeds".
        "start_date": dt.datetime.combine(daily.FIRST_BUSINESS_DATE, dt.time(3), tzinfo=dt.UTC),
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "retry_policy": RETRY_POLICY,
        "on_failure_callback": on_failure_callback,
    },
    deadline=DeadlineAlert(
        reference=DeadlineReference.DAGRUN_QUEUED_AT,
        interval=drop_deadline(),
        callback=AsyncCallback(late_run_alert),
        name="late_drop_or_run",
    ),
    tags=["creditwh"],
)
def credit_daily():
    @task.branch
    def choose_source(params=None) -> str:
        return "extract_from_postgres" if params["source"] == "postgres" else "wait_for_drop"

    @task.sensor(poke_interval=60, timeout=6 * 3600, mode="reschedule")
    def wait_for_drop(ds=None, params=None) -> PokeReturnValue:
        return PokeReturnValue(is_done=daily.poke_drop(_date(ds), settings(), wait=params["wait_for_drop"]))

    @task
    def extract_from_postgres(ds=None) -> str:
        return daily.extract_from_postgres(_date(ds), settings())

    @task(trigger_rule="none_failed_min_one_success")
    def verify_drop(ds=None) -> dict:
        return daily.verify(_date(ds), settings())

    @task(pool=WAREHOUSE_POOL)
    def load_raw(ds=None) -> dict:
        return daily.load(_date(ds), settings())

    @task(pool=WAREHOUSE_POOL)
    def validate_raw(ds=None) -> dict:
        return daily.validate("raw", _date(ds), settings())

    @task_group
    def transform():
        @task(pool=WAREHOUSE_POOL)
        def dbt_build(ds=None) -> list[dict]:
            return daily.transform(_date(ds), settings())

        @task(map_index_template="{{ dbt_area }}", retries=0)
        def area(area: dict) -> list[str]:
            get_current_context()["dbt_area"] = area["area"]
            return daily.check_dbt_area(area)

        area.expand(area=dbt_build())

    @task(pool=WAREHOUSE_POOL)
    def validate_marts(ds=None) -> dict:
        return daily.validate("marts", _date(ds), settings())

    @task(pool=WAREHOUSE_POOL)
    def publish_blacklist(ds=None) -> dict:
        from creditwh.pipeline.extracts import publish_blacklist

        return publish_blacklist(_date(ds), settings())

    @task(pool=WAREHOUSE_POOL)
    def publish_collection_lists(ds=None) -> dict:
        from creditwh.pipeline.extracts import publish_collection_lists

        return publish_collection_lists(_date(ds), settings())

    @task(pool=WAREHOUSE_POOL, outlets=[SERVED])  # SERVED schedules the docs site rebuild (credit_docs)
    def publish_serving(ds=None) -> dict:
        return daily.publish_serving(_date(ds), settings())

    @task(outlets=[MONTH_END])
    def month_end(ds=None, outlet_events=None) -> None:
        if not daily.is_month_end(_date(ds)):
            raise AirflowSkipException(f"{ds} is not a month end: no bureau period to report")
        outlet_events[MONTH_END].extra = {"period_end": ds}

    source = choose_source()
    verified = verify_drop()
    source >> [wait_for_drop(), extract_from_postgres()] >> verified
    marts_gate = validate_marts()
    verified >> load_raw() >> validate_raw() >> transform() >> marts_gate
    marts_gate >> publish_blacklist() >> month_end()
    marts_gate >> publish_serving()
    marts_gate >> publish_collection_lists()


credit_daily()
