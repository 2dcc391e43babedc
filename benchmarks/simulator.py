"""Simulator throughput: accounts x days per second, write_drop included, and peak memory.

    .venv/bin/python benchmarks/simulator.py [--sizes 100000 1000000] [--days 3]

Each size runs in its own process so the peak RSS (ru_maxrss) belongs to that size alone.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import tempfile
import time
from pathlib import Path


def _run(n_accounts: int, days: int, out) -> None:
    from creditwh.simulate import CardPlatform, SimConfig, write_drop

    landing = Path(tempfile.mkdtemp(prefix="sim-bench-"))
    try:
        started = time.perf_counter()
        platform = CardPlatform(SimConfig(n_accounts=n_accounts, seed=1))
        seasoned = time.perf_counter() - started
        per_day = []
        for _ in range(days):
            t0 = time.perf_counter()
            snap = platform.step()
            t1 = time.perf_counter()
            write_drop(snap, landing)
            per_day.append(
                (t1 - t0, time.perf_counter() - t1, snap.accounts.num_rows, snap.customers.num_rows)
            )
        size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
        out.put((seasoned, per_day, size, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    finally:
        shutil.rmtree(landing, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    for n in args.sizes:
        queue = ctx.Queue()
        proc = ctx.Process(target=_run, args=(n, args.days, queue))
        proc.start()
        seasoned, per_day, size, peak_mb = queue.get()
        proc.join()
        total = sum(step + write for step, write, _, _ in per_day)
        print(f"{n:>9,} accounts: seasoning {seasoned:.1f} s; peak RSS {peak_mb:,.0f} MB; "
              f"{size / 2**20:.0f} MiB written for {len(per_day)} days")  # fmt: skip
        for day, (step, write, rows, customers) in enumerate(per_day, start=1):
            print(f"    day {day}: step {step:.2f} s + write_drop {write:.2f} s "
                  f"({rows:,} accounts, {customers:,} customer rows)")  # fmt: skip
        print(f"    throughput {n * len(per_day) / total:,.0f} account-days/s "
              f"({total / len(per_day):.2f} s per day incl. write)")  # fmt: skip


if __name__ == "__main__":
    main()
