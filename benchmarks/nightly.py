"""The whole nightly run, end to end: simulate N accounts for D days, then run the real DAGs for each date
exactly as `creditwh run` does (the CLI's own run path: Airflow dag.test per business date, the bureau DAG
after a month end), and report per task: wall time, peak RSS while it ran, rows; per run: wall time from
its first task's start to its last task's end; then the warehouse size and the outbox bytes per extract.

    .venv/bin/python benchmarks/nightly.py --accounts 20000 --days 3 --start 2026-01-30
    .venv/bin/python benchmarks/nightly.py --accounts 1000000 --days 3 --start 2026-01-29 \\
        --data-dir /big/disk/bench-1m --json bench-1m.json
    .venv/bin/python benchmarks/nightly.py --accounts 100000 --days 31 --history-load   # creditwh load-history

Markdown on stdout, the same figures as JSON (--json; default <data dir>/nightly.json), so runs compare.
Peak RSS is the process's resident set sampled every 20 ms while a task runs (the tasks run one after the
other in this process); "peak RSS of the run" is the kernel's high-water mark (VmHWM) at the end.
The data directory is made fresh (an existing one is refused unless --reuse); deployment settings the
benchmark has no real value for are the demo's (creditwh demo).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import platform
import pstats
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

SAMPLE_SECONDS = 0.02


def _rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class TaskMeter:
    """Airflow listener + RSS sampler: one record per task instance run in this process."""

    def __init__(self):
        self.tasks: list[dict] = []
        self._current: dict | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._sample, name="rss-sampler", daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            with self._lock:
                if self._current is not None:
                    self._current["peak_rss"] = max(self._current["peak_rss"], _rss_bytes())

    def close(self) -> None:
        self._stop.set()

    def started(self, ti) -> None:
        with self._lock:
            self._current = {
                "dag_id": ti.dag_id,
                "run_id": ti.run_id,
                "task_id": ti.task_id,
                "map_index": ti.map_index,
                "label": getattr(ti, "rendered_map_index", None),
                "start": time.time(),
                "peak_rss": _rss_bytes(),
            }

    def ended(self, ti, state: str) -> None:
        with self._lock:
            current, self._current = self._current, None
        if current is None or (current["task_id"], current["run_id"]) != (ti.task_id, ti.run_id):
            return
        current["peak_rss"] = max(current["peak_rss"], _rss_bytes())
        current.update(end=time.time(), state=state)
        current["seconds"] = round(current["end"] - current["start"], 3)
        self.tasks.append(current)

    def listener(self):
        from airflow.listeners import hookimpl

        meter = self

        class Listener:
            @hookimpl
            def on_task_instance_running(self, previous_state, task_instance):
                meter.started(task_instance)

            @hookimpl
            def on_task_instance_success(self, previous_state, task_instance):
                meter.ended(task_instance, "success")

            @hookimpl
            def on_task_instance_failed(self, previous_state, task_instance, error):
                meter.ended(task_instance, "failed")

            @hookimpl
            def on_task_instance_skipped(self, previous_state, task_instance):
                meter.ended(task_instance, "skipped")

        return Listener()


def task_rows(task_id: str, value) -> int | None:
    """The rows a task handled, from the summary it returned (XCom): the drop's records, the models' rows,
    the blacklist's listed subjects, a bureau file's data records."""
    if isinstance(value, dict):
        records = value.get("records")
        if isinstance(records, dict):
            return sum(v for v in records.values() if isinstance(v, int))
        for key in ("records", "rows", "data_records", "listed"):
            if isinstance(value.get(key), int):
                return value[key]
    if isinstance(value, list) and value and all(isinstance(a, dict) and "models" in a for a in value):
        rows = [m["rows"] for a in value for m in a["models"] if m.get("rows") is not None]
        return sum(rows) if rows else None  # what the adapter reports as rows affected, if anything
    return None


# dbt nodes by branch, from the model's name: the collections and the plan/fee branches (issues #15, #16)
# against the rest (the core marts, risk, bureau, blacklist).
BRANCHES = (("collections", ("collection",)), ("plans and fees", ("plan", "fee", "charge")))


def dbt_branch_seconds(value) -> dict[str, float] | None:
    """Per branch, the dbt build's node seconds (model plus its tests) from the summary the task returned.
    dbt runs several nodes at once, so the sums add up to more than the task's wall time."""
    if not (isinstance(value, list) and value and all(isinstance(a, dict) and "models" in a for a in value)):
        return None
    out: dict[str, float] = {}
    for model in (m for area in value for m in area["models"]):
        branch = next((b for b, words in BRANCHES if any(w in model["name"] for w in words)), "core")
        out[branch] = out.get(branch, 0.0) + (model.get("seconds") or 0) + (model.get("test_seconds") or 0)
    return {b: round(v, 2) for b, v in sorted(out.items())}


def _return_values(run_ids: set[str]) -> dict[tuple[str, str, str, int], object]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.run_id.in_(run_ids), XComModel.key == "return_value")
        return {(x.dag_id, x.run_id, x.task_id, x.map_index): XComModel.deserialize_value(x) for x in rows}


def _map_labels(run_ids: set[str]) -> dict[tuple[str, str, str, int], str]:
    """The rendered label of each mapped task instance (transform.area[marts]), known once it ran."""
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter(
            TaskInstance.run_id.in_(run_ids), TaskInstance.map_index >= 0
        )
        return {(t.dag_id, t.run_id, t.task_id, t.map_index): t.rendered_map_index for t in tis}


def _business_dates(run_ids: set[str]) -> dict[str, str]:
    """run id -> business date: the run's logical date (dag.test names runs after the wall clock)."""
    from airflow.models import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        runs = session.query(DagRun).filter(DagRun.run_id.in_(run_ids))
        return {r.run_id: f"{r.logical_date:%Y-%m-%d}" for r in runs}


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _package(filename: str, function: str) -> str:
    """Where a profiled function lives: the installed package, creditwh, the stdlib, or the C extension
    type a built-in method belongs to (DuckDB's execute is "<method 'execute' of '_duckdb....' objects>")."""
    if filename == "~":
        owner = re.search(r"of '([A-Za-z0-9_]+)", function)
        return f"C: {owner.group(1).split('.')[0]}" if owner else "C: builtins"
    found = re.search(r"site-packages/([A-Za-z0-9_]+)", filename)
    if found:
        return found.group(1)
    return "creditwh" if "/creditwh/" in filename or "/dags/" in filename else "python stdlib"


def profile_summary(stats: pstats.Stats, top: int = 20) -> dict:
    """Self time per package, and the functions with the most self / cumulative time (main thread)."""
    by_package: dict[str, float] = {}
    functions = []
    for (filename, line, function), (_, calls, self_time, cumulative, _) in stats.stats.items():
        package = _package(filename, function)
        by_package[package] = by_package.get(package, 0.0) + self_time
        functions.append(
            (cumulative, self_time, calls, f"{package}: {function} ({Path(filename).name}:{line})")
        )
    by_self = sorted(functions, key=lambda f: -f[1])
    functions.sort(reverse=True)
    return {
        "self_seconds_by_package": dict(
            sorted(((k, round(v, 2)) for k, v in by_package.items()), key=lambda kv: -kv[1])[:top]
        ),
        "top_cumulative": [
            {"function": name, "cumulative_seconds": round(c, 2), "self_seconds": round(t, 2), "calls": n}
            for c, t, n, name in functions[:top]
        ],
        "top_self": [
            {"function": name, "cumulative_seconds": round(c, 2), "self_seconds": round(t, 2), "calls": n}
            for c, t, n, name in by_self[:top]
        ],
    }


def run_benchmark(
    accounts: int,
    days: int,
    start: dt.date,
    data_dir: Path,
    seed: int = 7,
    profile: Path | None = None,
    history: bool = False,
    run_from: dt.date | None = None,
) -> dict:
    """Simulate, run every date through the CLI's run path (or, with `history`, the whole range through
    `creditwh load-history`), measure. Raises if a run fails (after recording what ran in result['tasks'])."""
    os.environ["CREDITWH_DATA_DIR"] = str(data_dir)
    from creditwh import airflow_env, cli
    from creditwh.config import settings

    s = settings()
    cli._demo_settings(s)
    airflow_env.configure(s)  # before Airflow is imported (the listener below): its home is read once
    end = start + dt.timedelta(days=days - 1)
    result: dict = {
        "accounts": accounts,
        "days": days,
        "start": str(start),
        "end": str(end),
        "seed": seed,
        "mode": "history load" if history else "daily runs",
        "run_from": str(run_from or start),
        "data_dir": str(data_dir),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gib": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
    }
    started = time.monotonic()
    cli.cmd_simulate(argparse.Namespace(accounts=accounts, days=days, start=start, seed=seed))
    result["simulate_seconds"] = round(time.monotonic() - started, 1)
    result["simulate_peak_rss_bytes"] = _status_kib("VmHWM") * 1024

    from airflow.sdk.listener import get_listener_manager

    meter = TaskMeter()
    get_listener_manager().add_listener(meter.listener())
    with open("/proc/self/clear_refs", "w") as fh:  # reset VmHWM: the run's peak, not the simulation's
        fh.write("5")
    started = time.monotonic()
    # the drops are simulated from `start` (the simulator's state is carried day to day), run from `run_from`
    args = argparse.Namespace(start=run_from or start, end=end, source="files", wait_for_drop=False, publish=False)
    error = None
    profiler = cProfile.Profile() if profile else None
    try:
        if profiler:
            profiler.enable()
        cli.cmd_load_history(args) if history else cli.cmd_run(args)
    except Exception as exc:  # noqa: BLE001 - reported with what ran
        error = exc
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
            result["profile"] = profile_summary(pstats.Stats(str(profile)))
        meter.close()
    result["run_seconds"] = round(time.monotonic() - started, 1)
    result["peak_rss_bytes"] = _status_kib("VmHWM") * 1024
    run_ids = {t["run_id"] for t in meter.tasks}
    values = _return_values(run_ids) if run_ids else {}
    dates = _business_dates(run_ids) if run_ids else {}
    labels = _map_labels(run_ids) if run_ids else {}
    for t in meter.tasks:
        key = (t["dag_id"], t["run_id"], t["task_id"], t["map_index"])
        t["rows"] = task_rows(t["task_id"], values.get(key))
        if (branches := dbt_branch_seconds(values.get(key))) is not None:
            t["dbt_branch_seconds"] = branches
        t["business_date"] = dates.get(t["run_id"], "")
        t["label"] = labels.get(key) or t["label"]
    result["tasks"] = meter.tasks
    result["runs"] = _runs(meter.tasks)
    result["warehouse_bytes"] = sum(
        p.stat().st_size for p in (s.warehouse_path, Path(f"{s.warehouse_path}.wal")) if p.exists()
    )
    result["outbox_bytes"] = {
        p.name: _dir_bytes(p)
        for p in sorted(s.outbox_dir.glob("*"))
        if p.is_dir() and not p.name.startswith(".")
    }
    result["landing_bytes"] = _dir_bytes(s.landing_dir)
    if error is not None:
        result["error"] = str(error)
    return result


def _runs(tasks: list[dict]) -> list[dict]:
    """Per DAG run: its business date, wall time from the first task's start to the last one's end, the
    sum of its tasks' times (the rest is Airflow's work between tasks), the peak RSS of its tasks."""
    runs: dict[str, list[dict]] = {}
    for t in tasks:
        runs.setdefault(t["run_id"], []).append(t)
    out = []
    for run_id, members in runs.items():
        wall = max(t["end"] for t in members) - min(t["start"] for t in members)
        out.append({
            "dag_id": members[0]["dag_id"],
            "business_date": members[0]["business_date"],
            "run_id": run_id,
            "wall_seconds": round(wall, 2),
            "task_seconds": round(sum(t["seconds"] for t in members), 2),
            "peak_rss_bytes": max(t["peak_rss"] for t in members),
        })  # fmt: skip
    return out


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f}"


def to_markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"## Nightly run ({r.get('mode', 'daily runs')}): {r['accounts']:,} accounts x {r['days']} days ({r['start']} to {r['end']})"
        + (f", run from {r['run_from']}" if r.get("run_from", r["start"]) != r["start"] else ""),
        "",
        (
            f"{r['started_at']}, {m['cpus']} CPUs, {m['memory_gib']} GiB, {m['platform']}, Python {m['python']}; "
            f"load average at start {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])}"
        ),
        "",
        f"- simulate: {r['simulate_seconds']} s, peak RSS {_mib(r['simulate_peak_rss_bytes'])} MiB",
        (
            f"- run (every date, as `creditwh run`): {r['run_seconds']} s, peak RSS of the process "
            f"{_mib(r['peak_rss_bytes'])} MiB"
        ),
        f"- warehouse: {_mib(r['warehouse_bytes'])} MiB; landing: {_mib(r['landing_bytes'])} MiB; outbox: "
        + (", ".join(f"{k} {v:,} bytes" for k, v in r["outbox_bytes"].items()) or "empty"),
    ]
    if "error" in r:
        lines.append(f"- **failed**: {r['error']}")
    lines += ["", "| business date | DAG | wall s | in tasks s | peak RSS MiB |", "|---|---|---:|---:|---:|"]
    for run in r["runs"]:
        lines.append(
            f"| {run['business_date']} | {run['dag_id']} | {run['wall_seconds']:.1f} | {run['task_seconds']:.1f} | "
            f"{_mib(run['peak_rss_bytes'])} |"
        )
    lines += ["", "| business date | DAG | task | state | wall s | peak RSS MiB | rows |",
              "|---|---|---|---|---:|---:|---:|"]  # fmt: skip
    for t in r["tasks"]:
        name = t["task_id"] + (f"[{t['label'] or t['map_index']}]" if t["map_index"] >= 0 else "")
        rows = "" if t.get("rows") is None else f"{t['rows']:,}"
        lines.append(
            f"| {t['business_date']} | {t['dag_id']} | {name} | {t['state']} | {t['seconds']:.2f} | "
            f"{_mib(t['peak_rss'])} | {rows} |"
        )
    builds = [t for t in r["tasks"] if "dbt_branch_seconds" in t]
    if builds:
        names = sorted({b for t in builds for b in t["dbt_branch_seconds"]})
        lines += ["", "dbt build, node seconds by branch (models and their tests; nodes run concurrently)", "",
                  f"| business date | {' | '.join(names)} |", "|---|" + "---:|" * len(names)]  # fmt: skip
        for t in builds:
            lines.append(f"| {t['business_date']} | "
                         + " | ".join(f"{t['dbt_branch_seconds'].get(n, 0):.1f}" for n in names) + " |")  # fmt: skip
    if "profile" in r:
        lines += ["", "Profile of the run (main thread): self time per package", "",
                  "| package | self s |", "|---|---:|"]  # fmt: skip
        lines += [f"| {k} | {v:.1f} |" for k, v in r["profile"]["self_seconds_by_package"].items()]
        lines += [
            "",
            "| function (most self time; most cumulative time in the JSON) | self s | cumulative s | calls |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {f['function']} | {f['self_seconds']:.1f} | {f['cumulative_seconds']:.1f} | {f['calls']:,} |"
            for f in r["profile"]["top_self"]
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 1, 30),
                        help="first business date (default 2026-01-30: 3 days cross the January month end)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="default: a new directory under the system temp dir")
    parser.add_argument("--reuse", action="store_true", help="allow an existing, non-empty --data-dir")
    parser.add_argument("--json", type=Path, help="default: <data dir>/nightly.json")
    parser.add_argument("--markdown", type=Path, help="also write the Markdown here")
    parser.add_argument("--profile", type=Path, help="cProfile the run (main thread) into this pstats file "
                        "and add self time per package and the top functions to the report")  # fmt: skip
    parser.add_argument("--history-load", action="store_true",
                        help="load the whole range with `creditwh load-history` instead of a daily run per date")  # fmt: skip
    parser.add_argument("--run-from", type=dt.date.fromisoformat,
                        help="run only the dates from this one, on a --data-dir (--reuse) whose warehouse already "
                        "holds the earlier ones: e.g. a 10M month end without re-running the first day")  # fmt: skip
    args = parser.parse_args(argv)
    if args.run_from and not (args.reuse and args.start <= args.run_from):
        parser.error("--run-from needs --reuse and a date from --start on")

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix=f"creditwh-nightly-{args.accounts}-"))
    if data_dir.exists() and any(data_dir.iterdir()) and not args.reuse:
        parser.error(f"{data_dir} is not empty: a benchmark starts from an empty data directory (or --reuse)")
    data_dir.mkdir(parents=True, exist_ok=True)
    result = run_benchmark(
        args.accounts, args.days, args.start, data_dir.resolve(), args.seed, args.profile, args.history_load,
        args.run_from,
    )
    markdown = to_markdown(result)
    json_path = args.json or data_dir / "nightly.json"
    json_path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown)
    print(markdown, flush=True)
    print(f"JSON: {json_path}", flush=True)
    return 1 if "error" in result else 0


if __name__ == "__main__":
    sys.exit(main())
