"""Publication through the daily DAG, watched by a BI reader (fixture served_run in conftest.py)."""

from __future__ import annotations

import duckdb
import pytest
from creditwh.serving.tables import marts_relations
from serving_db import ADMIN, connect

pytestmark = pytest.mark.slow


def _expected(warehouse) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """From DuckDB: rows per (mart, run partition) and rows of each mart without a partition."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        by_partition, whole = {}, {}
        for r in marts_relations(con):
            if r.partition_key:
                rows = con.execute(
                    f'select "{r.partition_key}"::varchar, count(*) from marts."{r.name}" group by 1'
                )
                by_partition.update({(r.name, day): n for day, n in rows.fetchall()})
            else:
                whole[r.name] = con.execute(f'select count(*) from marts."{r.name}"').fetchone()[0]
        return by_partition, whole
    finally:
        con.close()


def test_each_date_is_served_and_a_re_run_replaces_it(served_run):
    assert served_run.states == ["success"] * len(served_run.dates) and served_run.rerun_states == ["success"]
    by_partition, whole = _expected(served_run.warehouse)
    with connect(served_run.database, ADMIN) as pg:
        served = {}
        for table, _ in by_partition:
            key = next(k for t, k in _partition_columns(pg) if t == table)
            rows = pg.execute(f'select "{key}"::text, count(*) from bi."{table}" group by 1').fetchall()
            served.update({(table, day): n for day, n in rows})
        assert served == by_partition  # every date, once (the re-run of the second date did not add to it)
        for table, n in whole.items():
            assert pg.execute(f'select count(*) from bi."{table}"').fetchone()[0] == n, table
        published = pg.execute("select business_date::text from serving.publications order by 1").fetchall()
    assert [d for (d,) in published] == [d.isoformat() for d in served_run.dates]
    assert {t for t, _ in by_partition} >= {
        "fct_account_daily",
        "mart_aging_daily",
        "mart_early_warning_daily",
    }


def _partition_columns(pg) -> list[tuple[str, str]]:
    from creditwh.serving.tables import run_partition_keys

    return pg.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'bi' and column_name = any(%s)",
        [list(run_partition_keys())],
    ).fetchall()


def test_a_bi_reader_never_sees_half_a_day(served_run):
    reader = served_run.reader
    assert reader.errors == []
    by_partition, _ = _expected(served_run.warehouse)
    assert len(reader.snapshots) >= 2 * len(served_run.dates), "the reader did not read throughout the run"
    days_seen = set()
    for snapshot in reader.snapshots:
        # each (mart, date) it saw has all of that date's rows, never some of them
        partial = {k: (n, by_partition.get(k)) for k, n in snapshot.items() if n != by_partition.get(k)}
        assert partial == {}
        # a date it saw is there in every mart that has rows for it: the day is whole or absent
        days = {day for _, day in snapshot}
        missing = [k for k in by_partition if k[1] in days and k not in snapshot]
        assert missing == []
        days_seen.add(frozenset(d for d in days if d in {x.isoformat() for x in served_run.dates}))
    # the reader watched the dates arrive one publication at a time (it read during the run, not after it)
    assert len(days_seen) >= 3, sorted(map(sorted, days_seen))


def test_a_bi_reader_never_waits_for_a_publication_and_never_holds_up_the_run(served_run):
    reader = served_run.reader
    # Its queries ran while publications committed, with lock_timeout 1 ms: a wait for any publication lock
    # would have failed a query (LockNotAvailable, in errors) instead of only slowing it down.
    assert reader.errors == []
    assert reader.snapshots
    # and the run went on while the reader held a transaction open most of the time
    assert served_run.states == ["success"] * len(served_run.dates)
    assert served_run.rerun_states == ["success"]
