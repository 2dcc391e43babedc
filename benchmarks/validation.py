"""Benchmark: wall time and peak memory of the raw validation gate for a 100k- and a 1M-account day.

Builds a two-day raw layer with SQL (yesterday + today, so the cross-day rules have work to do) in a temp
data dir, runs run_raw_gate for today, and prints seconds and peak RSS. Each size runs in its own process so
peak memory is per size.

    .venv/bin/python benchmarks/validation.py            # 100k and 1M
    .venv/bin/python benchmarks/validation.py 250000     # one size
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

TODAY = dt.date(2026, 1, 31)
SIZES = (100_000, 1_000_000)

_ACCOUNTS = """
insert into raw.accounts
select ?::date, printf('A%08d', i), printf('C%08d', i), null, 'CLASSIC', printf('B%02d', i % 50),
       date '2020-01-01' + (i % 2000)::int, 'OPEN', null, null, null, null, 1 + i % 28, 5000,
       (i % 4000) + 0.5, date '2026-01-05', i % 4000, 25, date '2026-01-20',
       case when i % 10 = 1 then 50 else 0 end,
       case when i % 10 = 1 then 5 + ?::int else 0 end,
       case when i % 10 = 1 then 1 else 0 end,
       0, 0, 0, 0, null, null, false, false, false, 'b', 'f', 'x', now()
from range(1, ? + 1) t(i)
"""
_PAYMENTS = """
insert into raw.payments
select ?::date, printf('P%d-%08d', ?::int, i), printf('A%08d', i), ?::date, 20, 'PAYMENT', 'ACH', null, null,
       'b', 'f', 'x', now()
from range(1, ? + 1) t(i) where i % 10 = 4
"""
_CUSTOMERS = """
insert into raw.customers
select ?::date, printf('C%08d', i), 'WANG', 'Wei', null, 'SSN', printf('%09d', i), date '1980-01-01', '555',
       'Main St', null, 'Springfield', 'IL', '62701', now(), 'b', 'f', 'x', now()
from range(1, ? + 1) t(i) where ?::int = 0 or i % 25 = 0
"""


def build_warehouse(path: Path, n_accounts: int) -> None:
    from creditwh.landing.manifest import control_totals
    from creditwh.load.raw import ensure_raw_schema

    con = duckdb.connect(str(path))
    try:
        ensure_raw_schema(con)
        for k, day in enumerate((TODAY - dt.timedelta(days=1), TODAY)):
            con.execute(_ACCOUNTS, [day, k, n_accounts])
            con.execute(_PAYMENTS, [day, k, day, n_accounts])
            con.execute(_CUSTOMERS, [day, n_accounts, k])
            files = {}
            for name in ("accounts", "payments", "customers"):
                records, totals = control_totals(
                    con, f"(select * from raw.{name} where business_date = '{day}')", name
                )
                files[name] = {"records": records, "control_totals": totals}
            batch = f"{day:%Y%m%d}-bench"
            for name in files:
                con.execute(f"update raw.{name} set _batch_id = ? where business_date = ?", [batch, day])
            manifest = {"business_date": day.isoformat(), "source_system": "bench", "files": files}
            con.execute(
                "insert into raw.load_batches values (?, ?, 'bench', 'x', ?, now(), ?, ?, ?, 'accepted', now())",
                [
                    batch,
                    day,
                    json.dumps(manifest),
                    files["accounts"]["records"],
                    files["payments"]["records"],
                    files["customers"]["records"],
                ],
            )
    finally:
        con.close()


def measure(n_accounts: int) -> None:
    from creditwh.config import Settings
    from creditwh.quality import run_raw_gate

    with tempfile.TemporaryDirectory(prefix="creditwh-bench-gx-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        started = time.perf_counter()
        build_warehouse(settings.warehouse_path, n_accounts)
        built = time.perf_counter() - started
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        result = run_raw_gate(TODAY, settings)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{n_accounts:>9,} accounts/day: raw gate {seconds:6.2f} s "
            f"({len(result.outcomes)} expectations, {result.critical_failures} critical failures); "
            f"peak RSS {peak:,.0f} MB (before gate {rss_before:,.0f} MB); building the 2-day raw layer {built:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        measure(int(sys.argv[1]))
    else:
        for size in SIZES:
            subprocess.run([sys.executable, __file__, str(size)], check=True)
