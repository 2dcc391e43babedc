"""`creditwh`: the jobs a person runs by hand. Errors become a one-line message and exit code 2."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
import time

from creditwh.config import settings
from creditwh.errors import PipelineError


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _dates(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def cmd_simulate(args) -> None:
    from creditwh.simulate import SimConfig, simulate_to_landing

    cfg = SimConfig(n_accounts=args.accounts, start_date=args.start, seed=args.seed)
    simulate_to_landing(
        cfg, args.days, settings().landing_dir, progress=lambda d: print(f"simulated {d}", flush=True)
    )


def cmd_run(args) -> None:
    from creditwh import airflow_env

    s = settings()
    dates = _dates(args.start, args.end)
    if not dates:
        raise PipelineError(f"--end {args.end} is before --start {args.start}: no date to run")
    wait = getattr(args, "wait_for_drop", False)
    if args.source == "files" and not wait:
        _require_drops(s, dates)
    with airflow_env.exclusive_run(s):
        airflow_env.configure(s)
        airflow_env.migrate()
        airflow_env.run_dates("credit_daily", dates, conf={"source": args.source, "wait_for_drop": wait})


def cmd_load_history(args) -> None:
    """The credit_history_load DAG for the range: every drop loaded and gated, the marts built once; with
    publish (`catch-up`), then every date's extracts in date order."""
    from creditwh import airflow_env

    if args.end < args.start:
        raise PipelineError(f"--end {args.end} is before --start {args.start}: no date to load")
    s = settings()
    conf = {"start": str(args.start), "publish": args.publish}
    with airflow_env.exclusive_run(s):
        airflow_env.configure(s)
        airflow_env.migrate()
        airflow_env.run_dates("credit_history_load", [args.end], conf=conf)


def _require_drops(s, dates: list[dt.date]) -> None:
    """Every date's drop must be there before Airflow starts: a person running dates by hand gets the
    missing one named at once, not a sensor polling for hours."""
    from creditwh.contract import manifest_name
    from creditwh.errors import DropMissing
    from creditwh.pipeline.daily import drop_arrived

    missing = [d for d in dates if not drop_arrived(d, s)]
    if missing:
        error = DropMissing(missing[0], s.drop_dir(missing[0]) / manifest_name(missing[0]))
        others = f"; no drop for {len(missing) - 1} more of the dates either" if len(missing) > 1 else ""
        error.args = (f"{error}{others}; nothing was run (--wait-for-drop waits for drops instead)",)
        raise error


def cmd_demo(args) -> None:
    """The main job on the embedded default: simulate the platform, catch up on every date but the last in
    one history-load run that publishes each date's extracts (what 89 nightly runs would publish, at a
    fraction of their fixed cost), then the last date's nightly run (and, on a month end, the bureau run)."""
    from creditwh.airflow_env import exclusive_run

    started = time.monotonic()
    s = settings()
    print(f"data directory: {s.data_dir}")
    _demo_settings(s)
    with exclusive_run(s):  # no run may read the drops while the simulation rewrites them
        cmd_simulate(args)
        end = args.start + dt.timedelta(days=args.days - 1)
        if args.days > 1:
            cmd_load_history(argparse.Namespace(start=args.start, end=end - dt.timedelta(days=1), publish=True))
        cmd_run(argparse.Namespace(start=end, end=end, source="files"))
        args.end = end
    print(f"done in {time.monotonic() - started:.0f} s")
    print(demo_summary(s, args), flush=True)


MAIN_MARTS = ("fct_account_daily", "mart_aging_daily", "mart_delinquency_rates", "mart_roll_rate_monthly",
              "mart_early_warning_daily", "dim_customer")  # fmt: skip


def demo_summary(s, args) -> str:
    """What a run built and where to look: dates, main marts' rows, identity conflicts, each extract's
    outbox folders, the warehouse and how to open it, the next commands."""
    import duckdb

    start, end = args.start, args.end
    with duckdb.connect(str(s.warehouse_path), read_only=True) as con:
        (passed,) = con.execute(
            "select count(*) from reporting.marts_passed_dates where business_date between ? and ?",
            [start, end],
        ).fetchone()
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        }
        rows = [
            (t, con.execute(f"select count(*) from marts.{t}").fetchone()[0])
            for t in MAIN_MARTS
            if t in tables
        ]
        conflicts = con.execute(
            "select count(distinct identity_key) from intermediate.int_customer_person where has_identity_conflict"
        ).fetchone()[0]
    lines = [
        "",
        "Summary",
        f"  business dates: {start} to {end}, {passed} with marts that passed their gate",
        "  marts (rows): " + ", ".join(f"{t} {n:,}" for t, n in rows),
        f"  identity conflicts (one id number, different people; kept apart, warned): {conflicts}",
        "  extracts published:",
    ]
    for extract in sorted(p for p in s.outbox_dir.glob("*") if p.is_dir() and not p.name.startswith(".")):
        dated = sorted(p for p in extract.iterdir() if p.is_dir())
        files = [f for d in dated for f in d.iterdir() if f.is_file()]
        span = f"{dated[0].name} to {dated[-1].name}" if dated else "none"
        lines.append(f"    {extract.name}: {len(dated)} dates ({span}), {len(files)} files with their manifests, "
                     f"{sum(f.stat().st_size for f in files):,} bytes in {extract}/<date>/")  # fmt: skip
    size, db = s.warehouse_path.stat().st_size, s.warehouse_path
    more = f"--accounts {args.accounts} --seed {args.seed} --start {start} --days {args.days + 30}"
    after = f"--start {end + dt.timedelta(days=1)} --end {end + dt.timedelta(days=30)}"
    lines.append(f"  warehouse: {db} ({size / 2**20:.0f} MiB): raw, staging, intermediate, marts (BI), restricted "
                 "(clear personal data), reporting (what was published)")  # fmt: skip
    lines.append(f"  open it: .venv/bin/python -c \"import duckdb; duckdb.connect('{db}', read_only=True).sql("
                 "'select * from marts.mart_delinquency_rates order by business_date desc limit 5').show()\"")  # fmt: skip
    lines.append(f"  next: ./dev simulate {more} (the same book, 30 more days), then ./dev run {after}; "
                 "./dev data-docs (the quality results); ./dev test -m 'not slow'")  # fmt: skip
    return "\n".join(lines)


def _demo_settings(s) -> None:
    """Deployment settings the demo has no real value for. The blacklist's HMAC key: a random key made
    once and kept under the data directory (outside the repository). The Metro 2 and PBOC reporters: values
    marked DEMO. No BI serving database. Anything already set in the environment is kept; real deployments
    set all of them."""
    import os
    import secrets

    for name, value in {"IDENTIFICATION_NUMBER": "DEMO000001", "REPORTER_NAME": "DEMO CARD ISSUER (NOT REAL)",
                        "REPORTER_ADDRESS": "DEMO ONLY", "REPORTER_TELEPHONE_NUMBER": "0000000000",
                        "EQUIFAX_PROGRAM_IDENTIFIER": "DEMO"}.items():  # fmt: skip
        os.environ.setdefault(f"CREDITWH_BUREAU_{name}", value)
    os.environ.setdefault("CREDITWH_BLACKLIST_FURNISHER_ID", "DEMO000001")
    for name in ("DATA_PROVIDER_ORG_CODE", "MANAGEMENT_ORG_CODE"):  # PBOC reporter: no real registration
        os.environ.setdefault(f"CREDITWH_PBOC_{name}", "DEMO0000000001")
    if not os.environ.get("CREDITWH_SERVING_HOST"):  # no serving server assumed: its task says it skipped
        os.environ.setdefault("CREDITWH_SERVING", "off")
    if os.environ.get("CREDITWH_BLACKLIST_KEY"):
        return
    key_file = s.data_dir / "secrets" / "blacklist_demo.key"
    if not key_file.exists():
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_hex(32))
    os.environ["CREDITWH_BLACKLIST_KEY"] = key_file.read_text().strip()
    print(
        f"demo blacklist key: {key_file}; demo Metro 2 reporter settings (real deployments set "
        "CREDITWH_BLACKLIST_KEY and CREDITWH_BUREAU_*)"
    )


def cmd_data_docs(args) -> None:
    from creditwh.quality import build_data_docs

    print(f"Data Docs: {build_data_docs(settings())}")


def cmd_serving(args) -> None:
    from creditwh.serving import commands

    for line in commands.run(args.serving_command, settings(), args.date):
        print(line)


def cmd_docs(args) -> None:
    from creditwh.serving import docs_site

    if args.docs_command == "build":
        print(f"docs site: {docs_site.build_site(settings())}")
    else:
        docs_site.serve(settings(), args.host, args.port, build_missing=not args.no_build)


def cmd_verify(args) -> None:
    from creditwh.landing.verify import verify_drop

    drop = verify_drop(settings().drop_dir(args.date), args.date)
    print(f"{args.date}: drop OK, batch {drop.batch_id}")


def cmd_load(args) -> None:
    from creditwh.load import load_drop
    from creditwh.pipeline import daily

    s = settings()
    print(load_drop(s.warehouse_path, s.drop_dir(args.date), args.date).summary())
    print(daily.validate("raw", args.date, s))  # the raw gate accepts the batch or rolls the date back


def cmd_bureau_feedback(args) -> None:
    from creditwh.reporting.feedback import load_feedback

    summary = load_feedback(settings(), args.file)
    print(f"{summary['bureau']} feedback for {summary['submitted_file']} ({summary['period_end']}): "
          f"{summary['records_rejected']} of {summary['records_submitted']} records rejected; the next "
          f"publication re-sends them (file kept as {summary['kept_as']})")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="creditwh", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def sim_args(p):
        p.add_argument("--accounts", type=int, default=3000)
        p.add_argument("--days", type=int, default=90)
        p.add_argument("--start", type=_date, default=dt.date(2026, 1, 1))
        p.add_argument("--seed", type=int, default=7)

    p = sub.add_parser("demo", help="simulate the card platform and run the daily DAG for every date")
    sim_args(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("simulate", help="write simulated daily drops to the landing zone")
    sim_args(p)
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("run", help="run the daily DAG through Airflow (dag.test) for a date range")
    p.add_argument("--start", type=_date, required=True)
    p.add_argument("--end", type=_date, required=True)
    p.add_argument("--source", choices=["files", "postgres"], default="files")
    p.add_argument(
        "--wait-for-drop",
        action="store_true",
        help="wait for a missing drop as the scheduled DAG does (up to 6 h) instead of failing at once",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "load-history",
        help="load a history of daily drops (every day) and build the marts once over it; publishes nothing",
    )
    p.add_argument("--start", type=_date, required=True)
    p.add_argument("--end", type=_date, required=True)
    p.set_defaults(func=cmd_load_history, publish=False)

    p = sub.add_parser(
        "catch-up",
        help="a backlog of daily drops in one run: loaded and gated, the marts built once over it, then "
        "every date's extracts published in date order as the daily runs publish them",
    )
    p.add_argument("--start", type=_date, required=True)
    p.add_argument("--end", type=_date, required=True)
    p.set_defaults(func=cmd_load_history, publish=True)

    p = sub.add_parser(
        "data-docs", help="rebuild the Great Expectations Data Docs site from every stored result"
    )
    p.set_defaults(func=cmd_data_docs)

    p = sub.add_parser("bureau-feedback", help="load a bureau's feedback (rejections) of a submitted file")
    p.add_argument("feedback_command", choices=["load"])
    p.add_argument("file", help="feedback file in the project's format (docs/bureau-feedback.md)")
    p.set_defaults(func=cmd_bureau_feedback)

    p = sub.add_parser(
        "serving", help="the BI serving database: init (roles, schemas, grants) or publish a date"
    )
    p.add_argument("serving_command", choices=["init", "publish"])
    p.add_argument("--date", type=_date, help="publish: the business date (its marts gate must have passed)")
    p.set_defaults(func=cmd_serving)

    p = sub.add_parser("docs", help="the docs site (dbt docs + Data Docs): build it, or serve it over HTTP")
    p.add_argument("docs_command", nargs="?", choices=["serve", "build"], default="serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-build", action="store_true", help="serve: do not build a missing site (credit_docs will)")
    p.set_defaults(func=cmd_docs)

    for name, func, text in (
        ("verify", cmd_verify, "verify a drop"),
        ("load", cmd_load, "verify and load a drop"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--date", type=_date, required=True)
        p.set_defaults(func=func)
    return parser


def _stop_on_signals() -> None:
    """SIGTERM or SIGINT stops the command at once: a one-line message, exit code 128 + the signal.

    Airflow's in-process task runner installs a SIGTERM handler for every task it runs and leaves it in
    place; it only calls the task's on_kill, so `creditwh run` ignored SIGTERM. A blocked signal reaches
    no handler: this thread takes it with sigwait, whatever handler Airflow set. Everything is left as a
    kill would leave it, which the pipeline is built for (each step is one transaction or an atomic
    rename; the run lock is the kernel's)."""
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)  # every thread started from now on inherits it

    def stop() -> None:
        signum = signal.sigwait(signals)
        running = getattr(sys.modules.get("creditwh.airflow_env"), "current_run", None)
        during = f" during {running}: that run did not finish, run its date again" if running else ""
        print(f"creditwh: stopped by {signal.Signals(signum).name}{during}", file=sys.stderr, flush=True)
        os._exit(128 + signum)

    threading.Thread(target=stop, name="creditwh-stop", daemon=True).start()


def _end_process(code: int) -> None:
    """End the `creditwh` command without the interpreter's module teardown, after what an exit does for
    us: the at-exit handlers (Airflow's, logging's) run and the output is flushed. At teardown DuckDB's
    Python module (nanobind) lists every one of its objects still referenced as "leaked" — pages of lines
    after a month-end run, which hid the run's own last lines. Nothing of ours needs the teardown: every
    step committed or renamed atomically before, and the run lock is released by the kernel."""
    import atexit
    import logging

    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if argv is None:  # the `creditwh` command itself, not a caller in this process (the tests)
        _stop_on_signals()
    code = 0
    try:
        args.func(args)
    except PipelineError as exc:
        print(f"creditwh: {exc}", file=sys.stderr)
        code = 2
    if argv is None:
        _end_process(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
