"""Daily credit warehouse run: one run per business date (the run's logical date).

Wiring only; the work lives in creditwh.pipeline. The timetable fires at 03:00 UTC the day after the
business date; `airflow backfill create` replays past dates. One active run at a time: DuckDB has a single
writer. Bad input fails at once (no retries); other errors retry with exponential backoff.

    choose_source -> wait_for_drop | extract_from_postgres -> verify_drop -> load_raw -> validate_raw
      -> transform (dbt, one build, a task per model) -> validate_marts -> publish_blacklist -> month_end
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import CronDataIntervalTimetable, Param, PokeReturnValue, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from creditwh.alerts import on_failure_callback
from creditwh.config import settings
from creditwh.pipeline import daily
from creditwh.pipeline.assets import MONTH_END
from creditwh.transform import dbt


def _date(ds: str) -> dt.date:
    return dt.date.fromisoformat(ds)


@dag(
    dag_id="credit_daily",
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 1, 3, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    params={"source": Param("files", enum=["files", "postgres"], description="Where the day's snapshots come from")},
    default_args={
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "on_failure_callback": on_failure_callback,
    },
    tags=["creditwh"],
)
def credit_daily():
    @task.branch
    def choose_source(params=None) -> str:
        return "extract_from_postgres" if params["source"] == "postgres" else "wait_for_drop"

    @task.sensor(poke_interval=60, timeout=6 * 3600, mode="reschedule")
    def wait_for_drop(ds=None) -> PokeReturnValue:
        return PokeReturnValue(is_done=daily.drop_arrived(_date(ds), settings()))

    @task
    def extract_from_postgres(ds=None) -> str:
        return daily.extract_from_postgres(_date(ds), settings())

    @task(trigger_rule="none_failed_min_one_success")
    def verify_drop(ds=None) -> dict:
        return daily.verify(_date(ds), settings())

    @task
    def load_raw(ds=None) -> dict:
        return daily.load(_date(ds), settings())

    @task
    def validate_raw(ds=None) -> dict:
        return daily.validate("raw", _date(ds), settings())

    @task
    def validate_marts(ds=None) -> dict:
        return daily.validate("marts", _date(ds), settings())

    @task
    def publish_blacklist(ds=None) -> dict:
        from creditwh.pipeline.extracts import publish_blacklist

        return daily.fail_fast_on_bad_input(publish_blacklist)(_date(ds), settings())

    @task(outlets=[MONTH_END])
    def month_end(ds=None, outlet_events=None) -> None:
        if not daily.is_month_end(_date(ds)):
            raise AirflowSkipException(f"{ds} is not a month end: no bureau period to report")
        outlet_events[MONTH_END].extra = {"period_end": ds}

    source = choose_source()
    verified = verify_drop()
    source >> [wait_for_drop(), extract_from_postgres()] >> verified
    transform = dbt.task_group("transform", settings())
    verified >> load_raw() >> validate_raw() >> transform >> validate_marts() >> publish_blacklist() >> month_end()


credit_daily()
