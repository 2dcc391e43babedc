"""Daily credit warehouse run: one run per business date (the run's logical date).

Wiring only; the work lives in creditwh.pipeline. The timetable fires at 03:00 UTC the day after the
business date; catch-up and `airflow backfill create` replay past dates. One active run at a time:
DuckDB has a single writer.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import CronDataIntervalTimetable, Param, PokeReturnValue, dag, task
from creditwh.config import settings
from creditwh.pipeline import daily


@dag(
    dag_id="credit_daily",
    schedule=CronDataIntervalTimetable("0 3 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 1, 1, 3, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    params={"source": Param("files", enum=["files", "postgres"], description="Where the day's snapshots come from")},
    default_args={"retries": 2, "retry_delay": dt.timedelta(minutes=2), "retry_exponential_backoff": True},
    tags=["creditwh"],
)
def credit_daily():
    @task.branch
    def choose_source(params=None) -> str:
        return "extract_from_postgres" if params["source"] == "postgres" else "wait_for_drop"

    @task.sensor(poke_interval=60, timeout=6 * 3600, mode="reschedule")
    def wait_for_drop(ds=None) -> PokeReturnValue:
        business_date = dt.date.fromisoformat(ds)
        return PokeReturnValue(is_done=daily.drop_arrived(business_date, settings()))

    @task
    def extract_from_postgres(ds=None) -> str:
        return daily.extract_from_postgres(dt.date.fromisoformat(ds), settings())

    @task(trigger_rule="none_failed_min_one_success")
    def verify_drop(ds=None) -> dict:
        return daily.verify(dt.date.fromisoformat(ds), settings())

    @task
    def load_raw(ds=None) -> dict:
        return daily.load(dt.date.fromisoformat(ds), settings())

    source = choose_source()
    verified = verify_drop()
    source >> [wait_for_drop(), extract_from_postgres()] >> verified
    verified >> load_raw()


credit_daily()
