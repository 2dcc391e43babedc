"""Time the nightly dbt build (what the DAG's transform.dbt_build runs) day after day on a simulated book.

    .venv/bin/python benchmarks/dbt_daily_build.py --accounts 100000 --days 90

Simulates the book, loads each day's drop into raw.* and runs creditwh.transform.dbt.build for it, in date
order, exactly as the daily DAG does (one process, manifest parsed once). Prints seconds and peak RSS per
business date, the ratio of the last day's build to day 2's, and day 2 re-built at the end: with the
history behind it, that re-run costs what day 2 first cost when a day's cost grows with the day's data
and not with the history. Simulation and raw load are excluded from the dbt figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="creditwh-dbt-bench-") as tmp:
        os.environ["CREDITWH_DATA_DIR"] = tmp
        from creditwh.config import settings
        from creditwh.load import load_drop
        from creditwh.simulate import SimConfig, simulate_to_landing
        from creditwh.transform.dbt import build

        s = settings()
        started = time.monotonic()
        simulate_to_landing(
            SimConfig(n_accounts=args.accounts, start_date=args.start, seed=7), args.days, s.landing_dir
        )
        print(f"{args.accounts} accounts x {args.days} days simulated in {time.monotonic() - started:.0f} s")
        print("business date   dbt build   peak RSS   (day 1 includes the parse and the seeds)")
        seconds: dict[dt.date, float] = {}
        # each day's dbt statuses: models and snapshots, with their data tests' time
        nodes: dict[dt.date, list[dict]] = {}
        for i in range(args.days):
            day = args.start + dt.timedelta(days=i)
            load_drop(s.warehouse_path, s.drop_dir(day), day, accept=True)
            started = time.monotonic()
            areas = build(day, s)
            seconds[day] = time.monotonic() - started
            nodes[day] = [m for a in areas for m in a["models"]]
            failed = [m["name"] for m in nodes[day] if m["status"] != "success"]
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {day}  {seconds[day]:8.2f} s  {peak_mb:7.0f} MB"
                + (f"  FAILED: {failed}" if failed else "")
            )
        days = list(seconds)
        steady = [seconds[d] for d in days[1:]]
        print(f"steady-state mean (day 2..{len(days)}): {statistics.mean(steady):.2f} s/day")
        if len(days) >= 3:
            last = statistics.mean(seconds[d] for d in days[-3:])
            early = statistics.mean(seconds[d] for d in days[1:4])
            print(
                f"day {len(days)} / day 2: {seconds[days[-1]] / seconds[days[1]]:.2f}; "
                f"mean of the last 3 days / mean of days 2-4: {last / early:.2f}"
            )
        for day in (days[1], days[-1]) if len(days) > 1 else days:
            slowest = sorted(nodes[day], key=lambda m: -m["seconds"])[:6]
            print(
                f"slowest nodes on {day}: " + ", ".join(f"{m['name']} {m['seconds']:.1f} s" for m in slowest)
            )
        if len(days) > 2:
            # where a growing build spends its extra time: nodes by growth, each with its data tests' time
            first, last = (
                {m["name"]: m["seconds"] + m["test_seconds"] for m in nodes[d]} for d in (days[1], days[-1])
            )
            growth = sorted(last, key=lambda n: first.get(n, 0.0) - last[n])[:10]
            print(
                "most grown nodes, day 2 -> last day: "
                + ", ".join(f"{n} {first.get(n, 0.0):.1f} -> {last[n]:.1f} s" for n in growth)
            )
            print(f"fired early-warning signals: {_fired_signals(s.warehouse_path, days[1], days[-1])}")
            # The same day's data with the whole history behind it: a day whose cost grows with the history
            # would take longer now; a day whose cost grows with its own data (the book ageing: more
            # signals fire once windows hold history) takes what it took (re-running a date is idempotent).
            started = time.monotonic()
            build(days[1], s)
            print(
                f"day 2 re-run after {len(days)} days of history: {time.monotonic() - started:.2f} s "
                f"(first build {seconds[days[1]]:.2f} s)"
            )
        size_mb = Path(s.warehouse_path).stat().st_size / 1e6
        print(f"warehouse file after {len(days)} days: {size_mb:.0f} MB")


def _fired_signals(warehouse_path, *days: dt.date) -> str:
    """Signals fired per day: the early-warning work that grows as the simulated book ages (windows fill)."""
    import duckdb

    # same configuration as dbt's in-process connection (DuckDB refuses a second, different one)
    with duckdb.connect(str(warehouse_path)) as con:
        counts = [
            con.execute(
                "select count(*) from marts.fct_early_warning_signals where business_date = ?", [day]
            ).fetchone()[0]
            for day in days
        ]
    return ", ".join(f"{day} {count:,}" for day, count in zip(days, counts, strict=True))


if __name__ == "__main__":
    main()
