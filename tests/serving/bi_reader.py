"""A BI tool's session, as a thread: logs in as creditwh_bi_reader and, until stopped, reads every served
mart's row count per run partition in one REPEATABLE READ transaction (one consistent snapshot, as a
dashboard refresh would), holds it open a moment (so publications commit while readers are inside their
transactions), commits, and starts again. It records what each snapshot saw. Its lock_timeout is 1 ms, so
a query that had to wait for a publication's lock fails (recorded in errors) whatever the machine's load."""

from __future__ import annotations

import threading
import time

import psycopg
from creditwh.serving.tables import run_partition_keys
from serving_db import connect

READER = "creditwh_bi_reader"
HOLD_SECONDS = 0.3
# Any wait for a lock fails at once: a query never blocked never reaches it, however slow the machine is.
LOCK_TIMEOUT = "1ms"


class BiReader(threading.Thread):
    def __init__(self, database: str):
        super().__init__(name="bi-reader", daemon=True)
        self.database = database
        self.snapshots: list[dict[tuple[str, str], int]] = []  # {(table, partition date): rows}
        self.errors: list[str] = []
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=60)

    def run(self) -> None:
        try:
            with connect(self.database, READER) as pg:
                pg.execute(f"set lock_timeout = '{LOCK_TIMEOUT}'")
                pg.commit()  # a SET in a transaction that rolls back is undone
                pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                while not self._halt.is_set():
                    self._snapshot(pg)
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def _snapshot(self, pg) -> None:
        seen: dict[tuple[str, str], int] = {}
        try:
            tables = pg.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'bi' and column_name = any(%s) order by 1",
                [list(run_partition_keys())],
            ).fetchall()
            for table, key in tables:
                rows = pg.execute(f'select "{key}"::text, count(*) from bi."{table}" group by 1').fetchall()
                seen.update({(table, day): n for day, n in rows})
            time.sleep(HOLD_SECONDS)
            pg.commit()
        except psycopg.errors.UndefinedTable:  # created after the catalog was read: read again
            pg.rollback()
            return
        self.snapshots.append(seen)
