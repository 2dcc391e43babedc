"""Raw load time per business date (verify + load into DuckDB) at 100k and 1M accounts, with peak memory.

    .venv/bin/python benchmarks/raw_load.py [--sizes 100000 1000000] [--days 3]

Each size runs in a fresh child process so ru_maxrss is that size's peak. Prints one line per day and a
summary line per size. Figures are for this machine; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import resource
import tempfile
import time
from pathlib import Path

START = dt.date(2026, 1, 1)


def simulate(n_accounts: int, days: int, landing: Path) -> None:
    from creditwh.simulate import SimConfig, simulate_to_landing

    simulate_to_landing(SimConfig(n_accounts=n_accounts, start_date=START, seed=1), days, landing)


def verify_and_load(landing: Path, warehouse: Path, days: int, queue) -> None:
    from creditwh.landing.verify import verify_drop
    from creditwh.load import load_drop

    rows = []
    for i in range(days):
        day = START + dt.timedelta(days=i)
        t0 = time.perf_counter()
        drop = verify_drop(landing / f"{day:%Y-%m-%d}", day)
        t1 = time.perf_counter()
        result = load_drop(warehouse, landing / f"{day:%Y-%m-%d}", day, drop, accept=True)
        t2 = time.perf_counter()
        rows.append({"day": str(day), "verify_s": t1 - t0, "load_s": t2 - t1, "records": result.records})
    queue.put({"rows": rows, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="creditwh-bench-") as tmp:
            landing, warehouse = Path(tmp) / "landing", Path(tmp) / "warehouse.duckdb"
            sim = ctx.Process(target=simulate, args=(size, args.days, landing))
            sim.start()
            sim.join()
            queue = ctx.Queue()
            proc = ctx.Process(target=verify_and_load, args=(landing, warehouse, args.days, queue))
            proc.start()
            result = queue.get()
            proc.join()
        for row in result["rows"]:
            print(
                f"accounts={size:>9,} {row['day']} verify {row['verify_s']:6.2f} s  load {row['load_s']:6.2f} s  "
                f"records {json.dumps(row['records'])}"
            )
        per_day = sum(r["verify_s"] + r["load_s"] for r in result["rows"]) / len(result["rows"])
        print(
            f"accounts={size:>9,} mean verify+load per day {per_day:.2f} s, peak RSS {result['peak_rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
