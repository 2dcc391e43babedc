"""`airflow backfill create` over a range of business dates, then again with --reprocess-behavior completed:
the warehouse (raw.*, marts.*) and every outbox file must come out identical.

CREDITWH_BACKFILL_DAYS (default 3) sets the range; the run timeout grows with it.
"""

from __future__ import annotations

import time

import duckdb
import pytest
from creditwh.config import Settings

from .conftest import BACKFILL_DAYS, business_dates
from .snapshot import outbox_snapshot, warehouse_snapshot

pytestmark = [pytest.mark.system, pytest.mark.slow]


def _backfill_and_wait(cluster, dates, *extra) -> dict[str, str]:
    # --max-active-runs 1: a backfill's concurrency is its own (default 10), NOT the DAG's max_active_runs,
    # and DuckDB takes one writer; dates must also be processed in order.
    output = cluster.backfill(dates[0], dates[-1], "--max-active-runs", "1", *extra)
    backfill = cluster.latest_backfill()
    assert backfill["max_active_runs"] == 1, output
    timeout = 10 * 60 + 4 * 60 * len(dates)
    started = time.monotonic()
    states = cluster.wait_backfill(backfill["id"], timeout=timeout)
    # A figure for the report, not an assertion (timings depend on the machine).
    print(f"\nbackfill {dates[0]}..{dates[-1]} {' '.join(extra)}: {time.monotonic() - started:.0f} s")
    return states


def _assert_all_success(cluster, states, dates):
    expected = {d.isoformat(): "success" for d in dates}
    if states != expected:
        failed = [r["dag_run_id"] for r in cluster.runs() if r["state"] != "success"]
        pytest.fail(f"backfill runs: {states}\n{cluster.failure_report(failed)}")


def _snapshot(cluster, label):
    settings = Settings(data_dir=cluster.data_dir)
    tables = warehouse_snapshot(settings.warehouse_path, cluster.work_dir / f"snapshot-{label}")
    return tables, outbox_snapshot(settings.outbox_dir)


def _load_times(cluster) -> dict:
    con = duckdb.connect(str(Settings(data_dir=cluster.data_dir).warehouse_path), read_only=True)
    try:
        return dict(con.execute("select business_date, loaded_at from raw.load_batches").fetchall())
    finally:
        con.close()


def test_backfill_then_reprocess_leaves_warehouse_and_outbox_identical(airflow_cluster):
    dates = business_dates(BACKFILL_DAYS)

    _assert_all_success(airflow_cluster, _backfill_and_wait(airflow_cluster, dates), dates)
    tables_1, outbox_1 = _snapshot(airflow_cluster, "first")
    assert {"raw.accounts", "raw.payments", "raw.customers"} <= tables_1.keys()
    loaded_1 = _load_times(airflow_cluster)
    assert set(loaded_1) == set(dates)

    _assert_all_success(
        airflow_cluster,
        _backfill_and_wait(airflow_cluster, dates, "--reprocess-behavior", "completed"),
        dates,
    )
    tables_2, outbox_2 = _snapshot(airflow_cluster, "second")
    loaded_2 = _load_times(airflow_cluster)
    # Proof that the second backfill really re-ran every date (not skipped as already done).
    assert all(loaded_2[d] > loaded_1[d] for d in dates), (loaded_1, loaded_2)

    changed = sorted(
        name for name in tables_1.keys() | tables_2.keys() if tables_1.get(name) != tables_2.get(name)
    )
    assert not changed, f"tables differ after reprocessing (CSV under {airflow_cluster.work_dir}): {changed}"
    assert outbox_2 == outbox_1
