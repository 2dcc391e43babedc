"""Documentation site rebuild: dbt docs (with the catalog) and the GX Data Docs into <data>/site/.

Scheduled on the Asset credit_daily emits once a date is served (creditwh.serving.assets.SERVED), so it
runs after each publication, in its own run: it is off the daily run's critical path, its failure is a
failed run of this DAG with an alert (and the previous site stays published), and it never unpublishes
anything. Events that queue up while it runs make one rebuild. By hand: `creditwh docs build`.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag, task
from creditwh.alerts import on_failure_callback
from creditwh.config import settings
from creditwh.pipeline.daily import FIRST_BUSINESS_DATE
from creditwh.pipeline.policy import RETRY_POLICY, WAREHOUSE_POOL
from creditwh.serving.assets import SERVED


@dag(
    dag_id="credit_docs",
    schedule=[SERVED],
    start_date=dt.datetime.combine(FIRST_BUSINESS_DATE, dt.time(), tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    # the project's retry policy, as every task: transient errors (a warehouse held by a run) are retried
    default_args={"retries": 1, "retry_delay": dt.timedelta(minutes=5), "retry_policy": RETRY_POLICY,
                  "on_failure_callback": on_failure_callback},
    tags=["creditwh"],
)
def credit_docs():
    @task(pool=WAREHOUSE_POOL)  # dbt reads the warehouse's catalog
    def build_docs_site() -> str:
        from creditwh.serving.docs_site import build_site

        return str(build_site(settings()))

    build_docs_site()


credit_docs()
