"""History load: a range of daily drops (every day of the range) loaded and built in one run, for a bank
migrating to this warehouse (publishes nothing) or a warehouse catching up on a backlog (param publish:
every date's extracts, in date order). Manual only; the run's logical date is the range's last date and
param `start` its first. Wiring only; the work lives in creditwh.pipeline.history.

    load_range (verify every drop, load each, the raw gate per date side by side, settled in order)
      -> build_range (one dbt build over the range) -> validate_marts_range (the marts gate per date)
      -> publish_range (skipped unless publish: each date's blacklist, collections lists, serving copy,
         and each month end's notice list, Metro 2 and PBOC files)
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowSkipException
from creditwh.alerts import on_failure_callback
from creditwh.config import settings
from creditwh.pipeline import daily, history
from creditwh.pipeline.policy import RETRY_POLICY, WAREHOUSE_POOL


@dag(
    dag_id="credit_history_load",
    schedule=None,
    catchup=False,
    max_active_runs=1,
    params={
        "start": Param(type="string", format="date", description="First business date of the history"),
        "publish": Param(
            False,
            type="boolean",
            description="Publish every date's extracts after the build (a catch-up); a migrated history publishes nothing",
        ),
    },
    default_args={
        "start_date": dt.datetime.combine(daily.FIRST_BUSINESS_DATE, dt.time(3), tzinfo=dt.UTC),
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=2),
        "retry_exponential_backoff": True,
        "retry_policy": RETRY_POLICY,
        "on_failure_callback": on_failure_callback,
    },
    tags=["creditwh"],
)
def credit_history_load():
    @task(pool=WAREHOUSE_POOL)
    def load_range(ds=None, params=None) -> list[str]:
        return history.load_range(
            dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(ds), settings()
        )

    @task(pool=WAREHOUSE_POOL)
    def build_range(dates: list[str]) -> list[str]:
        return history.build_range(dates, settings())

    @task(pool=WAREHOUSE_POOL)
    def validate_marts_range(dates: list[str]) -> dict:
        return history.validate_marts_range(dates, settings())

    @task(pool=WAREHOUSE_POOL)
    def publish_range(dates: list[str], params=None) -> dict:
        if not params["publish"]:
            raise AirflowSkipException("a migrated history publishes nothing (param publish is false)")
        return history.publish_range(dates, settings())

    dates = load_range()
    build_range(dates) >> validate_marts_range(dates) >> publish_range(dates)


credit_history_load()
