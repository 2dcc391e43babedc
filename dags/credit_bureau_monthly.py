"""Monthly bureau files: runs when the daily DAG completes a month-end business date.

Wiring only; the work lives in creditwh.pipeline.extracts: first the notice list of consumers about to be
reported negatively for the first time (publish_negative_notices: they are told before the bureau hears), then
publish_bureau (Metro 2) and publish_pboc (PBOC card account records), each after the period's marts gate,
independent of the other. Scheduled on the asset
MONTH_END, which credit_daily emits (outlet) after the marts gate of a period-end business date, with
extra={"period_end": "YYYY-MM-DD"}. The period end is read from that triggering asset event (the latest
one if several queued up); a manual run passes it as the `period_end` param instead. Asset-triggered runs
have no data-interval logical date, so it is not used.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag, task
from creditwh.alerts import on_failure_callback
from creditwh.pipeline.assets import MONTH_END
from creditwh.pipeline.daily import FIRST_BUSINESS_DATE
from creditwh.pipeline.policy import RETRY_POLICY, WAREHOUSE_POOL


@dag(
    dag_id="credit_bureau_monthly",
    schedule=[MONTH_END],
    catchup=False,
    max_active_runs=1,
    params={"period_end": Param(None, type=["null", "string"], description="YYYY-MM-DD, manual runs only")},
    default_args={
        # The daily DAG's first business date, in default_args for the same reason as there.
        "start_date": dt.datetime.combine(FIRST_BUSINESS_DATE, dt.time(), tzinfo=dt.UTC),
        "retries": 1,
        "retry_delay": dt.timedelta(minutes=5),
        "retry_policy": RETRY_POLICY,
        "on_failure_callback": on_failure_callback,
    },
    tags=["creditwh", "extracts"],
)
def credit_bureau_monthly():
    @task
    def period_end(params=None, triggering_asset_events=None) -> str:
        if params and params.get("period_end"):
            return dt.date.fromisoformat(params["period_end"]).isoformat()
        events = (triggering_asset_events or {}).get(MONTH_END, [])
        dates = [e.extra["period_end"] for e in events if (e.extra or {}).get("period_end")]
        if not dates:
            raise ValueError(
                "no period_end: trigger through the month-end asset or pass the period_end param"
            )
        return max(dates)

    @task(pool=WAREHOUSE_POOL)
    def publish_notice_list(period: str) -> dict:
        from creditwh.config import settings
        from creditwh.pipeline.extracts import publish_negative_notices

        return publish_negative_notices(dt.date.fromisoformat(period), settings())

    @task(pool=WAREHOUSE_POOL)
    def publish_bureau_file(period: str) -> dict:
        from creditwh.config import settings
        from creditwh.pipeline.extracts import publish_bureau

        return publish_bureau(dt.date.fromisoformat(period), settings())

    @task(pool=WAREHOUSE_POOL)
    def publish_pboc_file(period: str) -> dict:
        from creditwh.config import settings
        from creditwh.pipeline.extracts import publish_pboc

        return publish_pboc(dt.date.fromisoformat(period), settings())

    period = period_end()
    publish_notice_list(period) >> [publish_bureau_file(period), publish_pboc_file(period)]


credit_bureau_monthly()
