"""Serve the local warehouse (the demo's) to this machine's PostgreSQL, so Superset has data to show.

`./dev bi` runs it with the project's environment before starting Superset. The embedded demo runs without a
serving database (CREDITWH_SERVING=off); this catches up: `serving init` (roles, database creditwh_serving,
schemas, grants) as the local superuser, then the daily publication (creditwh.serving.publish, one
transaction per date, refused for a date whose marts gate did not pass) for every accepted business date
of the warehouse not yet in serving.publications. A second run publishes only new dates.

Production does not use this: there the daily DAG publishes each date (docs/serving.md).
"""

from __future__ import annotations

import os
import sys

LOCAL = {
    "CREDITWH_SERVING_HOST": "127.0.0.1",
    "CREDITWH_SERVING_ADMIN_USER": "postgres",  # trust authentication on this machine's server
}


def main() -> int:
    for key, value in LOCAL.items():
        os.environ.setdefault(key, value)
    os.environ.pop("CREDITWH_SERVING", None)
    import duckdb
    import psycopg
    from creditwh.config import settings
    from creditwh.serving.publish import publish_date
    from creditwh.serving.roles import init_serving
    from creditwh.serving.settings import META_SCHEMA, serving_settings

    local = settings()
    if not local.warehouse_path.exists():
        print(f"no warehouse at {local.warehouse_path}: run ./dev demo first", file=sys.stderr)
        return 1
    target = serving_settings()
    for line in init_serving(target, os.environ["CREDITWH_SERVING_ADMIN_USER"]):
        print(line)
    with duckdb.connect(str(local.warehouse_path), read_only=True) as con:
        # the dates whose marts gate passed: what may be served (a date a run left unfinished is not)
        accepted = [d for (d,) in con.execute(
            "select business_date from reporting.marts_passed_dates order by business_date"
        ).fetchall()]  # fmt: skip
    with psycopg.connect(target.conninfo()) as pg:
        exists = pg.execute("select to_regclass(%s)", [f"{META_SCHEMA}.publications"]).fetchone()[0]
        served = set() if exists is None else {d for (d,) in pg.execute(
            f"select business_date from {META_SCHEMA}.publications").fetchall()}  # fmt: skip
    todo = [d for d in accepted if d not in served]
    for day in todo:
        done = publish_date(local.warehouse_path, local.data_dir / "serving_staging", target, day)
        print(f"served {day}: {sum(done['rows'].values())} rows")
    print(f"serving database {target.describe()}: {len(accepted)} dates, {len(todo)} published now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
