"""A gate run on many business dates at once (the history load): each date judged exactly as its daily run
judges it (creditwh.quality.gate.run_gate on the date's partition), in worker processes side by side.

Why processes: at small and medium sizes most of a gate's cost is GX's Python per expectation (metric
graphs, configuration objects), which one interpreter runs on one core while DuckDB's share is small. GX
opens the warehouse read-only, so several processes can read it together; nothing writes while they do:
the caller settles the verdicts afterwards, in date order (creditwh.pipeline.history).
"""

from __future__ import annotations

import atexit
import datetime as dt
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat

from creditwh.config import Settings

# The machine's cores, at most: each worker is a whole interpreter with GX loaded (≈0.3 GB) and runs
# DuckDB queries of its own.
MAX_WORKERS = 2


def judge_dates(gate: str, dates: list[dt.date], settings: Settings) -> list:
    """The gate's GateResult for every date, in the order of `dates`, whether it passed or not. An error
    that is not a verdict (the warehouse held by a writer, a broken project) is raised."""
    workers = min(MAX_WORKERS, os.cpu_count() or 1, len(dates))
    if workers <= 1:
        return [judge(gate, day, settings) for day in dates]
    # spawn, not fork: the caller (an Airflow task, a test) may hold threads and DuckDB handles
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_exit_quietly) as pool:
        return list(pool.map(judge, repeat(gate), dates, repeat(settings)))


def judge(gate: str, day: dt.date, settings: Settings):
    """One date's verdict: its GateResult, the failed one included."""
    from creditwh.quality.gate import ValidationGateFailed, run_gate

    try:
        return run_gate(gate, day, settings)
    except ValidationGateFailed as failed:
        return failed.result


def _exit_quietly() -> None:
    """A worker ends without the interpreter's teardown: GX's cached context keeps DuckDB objects alive to
    the end, and DuckDB's bindings (nanobind) report each as "leaked" on the run's output at teardown.
    Everything the worker had to say has gone through the pool by then."""

    def end() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    atexit.register(end)
