"""Time the daily `dbt build --vars {business_date}` of the core project on a simulated book.

    .venv/bin/python benchmarks/dbt_daily_build.py --accounts 5000 --days 5

Prints seconds per business date (simulate and load excluded), for the in-process runner that reuses one
parsed manifest (what Cosmos does with LoadMode.DBT_MANIFEST); a cold `dbt build` CLI call adds the
parse (a few seconds, since a changed --vars forces a full re-parse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "dbt"))

from warehouse_build import CORE_SELECTOR, build_warehouse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 1, 1))
    parser.add_argument("--whole-project", action="store_true", help="build every model, not only the core")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="creditwh-dbt-bench-") as tmp:
        built = build_warehouse(
            Path(tmp),
            n_accounts=args.accounts,
            n_days=args.days,
            start=args.start,
            selector=None if args.whole_project else CORE_SELECTOR,
        )
        print(f"dbt build per business date, {args.accounts} accounts (first includes the one-off parse):")
        for day, seconds in zip(built.business_dates, built.seconds_per_day, strict=True):
            print(f"  {day}  {seconds:6.2f} s")
        steady = built.seconds_per_day[1:] or built.seconds_per_day
        print(f"steady-state mean {sum(steady) / len(steady):.2f} s/day")


if __name__ == "__main__":
    main()
