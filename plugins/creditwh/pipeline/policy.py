"""How the DAGs behave under failure and contention: which errors are retried, the warehouse pool, and when
a day is late. Read at DAG parse time, so this module stays light (no DuckDB, dbt or GX imports).

- Retries: only errors that can mend by themselves (a drop still arriving, a lock or connection held by
  someone else, a timeout) are retried, with exponential backoff. Bad input and bad data (DropRejected,
  ValidationGateFailed, DbtModelFailed: every non-retriable PipelineError) and errors nobody classified
  (bugs) fail at once: the 3 a.m. operator sees the error now instead of after three retries. Which
  PipelineErrors are retriable is their `retriable` attribute (creditwh.errors), read here, not restated.
- Pool: DuckDB has one writer per file and readers cannot open it while a writer holds it, so every task
  that opens the warehouse takes the single slot of WAREHOUSE_POOL — across DAGs (daily, bureau) and
  across runs (backfills), on top of the daily DAG's max_active_runs=1.
- Deadline: if a daily run has not finished DROP_DEADLINE after it was queued (03:00 UTC for the scheduled
  run of the previous business date), the late-run alert fires and says whether the drop is still missing.
"""

from __future__ import annotations

import datetime as dt
import os

from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

from creditwh import errors
from creditwh.errors import PipelineError

WAREHOUSE_POOL = "creditwh_warehouse"
WAREHOUSE_POOL_SLOTS = 1

RETRIABLE_PIPELINE_ERRORS = [
    cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, PipelineError) and cls.retriable
]

TRANSIENT = [
    *RETRIABLE_PIPELINE_ERRORS,
    ConnectionError,
    TimeoutError,
    "psycopg2.OperationalError",
    "psycopg.OperationalError",
]

RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception="duckdb.IOException",
            action=RetryAction.RETRY,
            reason="DuckDB I/O error, usually another process holding the warehouse file (the error names its "
            "PID): retrying once it lets go",
        ),
        RetryRule(exception=TRANSIENT, action=RetryAction.RETRY, reason="transient: may succeed on a later try"),
        RetryRule(exception=PipelineError, action=RetryAction.FAIL, reason="bad input or data: a retry cannot help"),
    ],
    default=RetryAction.FAIL,
)


def drop_deadline() -> dt.timedelta:
    """CREDITWH_DROP_DEADLINE_MINUTES after the run is queued (default 180: 06:00 UTC for a 03:00 run)."""
    return dt.timedelta(minutes=float(os.environ.get("CREDITWH_DROP_DEADLINE_MINUTES", "180")))
