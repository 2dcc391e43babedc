"""`creditwh run` as a person runs it (a subprocess with its own data directory and Airflow home): it fails
with one line and exit code 2, never a traceback or a false success; it does not wait for a missing drop
unless asked; SIGTERM stops it; a second run on the same data directory is refused; a kill leaves nothing
behind that blocks the next run; a pre-2026 business date runs end to end."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from creditwh.contract import manifest_name
from sim_dates import business_dates

CREDITWH = str(Path(sys.executable).with_name("creditwh"))
DAY = business_dates(1)[0]


def _env(data_dir: Path, **extra) -> dict:
    """The caller's environment without Airflow's or creditwh's settings, except the secrets and reporter
    settings a run needs (set by conftest)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CREDITWH_"))}
    env.update(
        {
            k: v
            for k, v in os.environ.items()
            if k.startswith(("CREDITWH_BUREAU_", "CREDITWH_BLACKLIST", "CREDITWH_PBOC_", "CREDITWH_SERVING"))
        }
    )
    env["CREDITWH_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def _run(data_dir: Path, *args: str, timeout: float = 600, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CREDITWH, "run", *args],
        check=False,
        env=_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _start(data_dir: Path, *args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [CREDITWH, "run", *args],
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("creditwh: ")]


def _sensor_state(data_dir: Path) -> str | None:
    db = data_dir / "airflow" / "airflow.db"
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            row = con.execute("select state from task_instance where task_id = 'wait_for_drop'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _wait_for_sensor(data_dir: Path, proc: subprocess.Popen, timeout: float = 240) -> None:
    """Until the run's drop sensor has poked once and is waiting for its next poke."""
    deadline = time.monotonic() + timeout
    while _sensor_state(data_dir) != "up_for_reschedule":
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the drop sensor never started waiting"
        time.sleep(0.5)


def _hide_drop(data_dir: Path, day: dt.date) -> Path:
    """Move the day's manifest away (the drop is then incomplete); returns where it went."""
    manifest = data_dir / "landing" / f"{day:%Y-%m-%d}" / manifest_name(day)
    hidden = data_dir / manifest.name
    manifest.rename(hidden)
    return hidden


def test_a_date_without_a_drop_fails_at_once_with_one_line(data_dir):
    _hide_drop(data_dir, DAY)
    started = time.monotonic()
    done = _run(data_dir, "--start", str(DAY), "--end", str(DAY + dt.timedelta(days=1)), timeout=60)
    assert time.monotonic() - started < 30
    assert done.returncode == 2
    expected = (
        f"creditwh: no drop for {DAY} in {data_dir / 'landing' / str(DAY)}: {manifest_name(DAY)} is missing "
        "(the card platform writes it last, once the day's files are complete); nothing was run "
        "(--wait-for-drop waits for drops instead)"
    )
    assert _error_lines(done.stderr) == [expected]
    assert "Traceback" not in done.stderr
    assert not (data_dir / "airflow").exists()  # nothing started


def test_an_empty_date_range_is_an_error_not_a_success(data_dir):
    done = _run(data_dir, "--start", "2026-01-03", "--end", "2026-01-01", timeout=60)
    assert done.returncode == 2
    assert _error_lines(done.stderr) == [
        "creditwh: --end 2026-01-01 is before --start 2026-01-03: no date to run"
    ]


@pytest.mark.slow
def test_a_failed_run_exits_2_with_one_line_naming_the_task_and_its_error(data_dir):
    manifest = data_dir / "landing" / str(DAY) / manifest_name(DAY)
    manifest.write_text(manifest.read_text().replace('"records": ', '"records": 1', 1))
    done = _run(data_dir, "--start", str(DAY), "--end", str(DAY))
    assert done.returncode == 2, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    (line,) = _error_lines(done.stderr)
    assert line.startswith(
        f"creditwh: credit_daily {DAY}: verify_drop failed: DropRejected: {manifest.parent}/"
    )
    assert f"credit_daily {DAY}: failed" in done.stdout
    assert f"credit_daily {DAY}: success" not in done.stdout


@pytest.mark.slow
def test_a_pre_2026_month_end_runs_end_to_end_after_waiting_for_a_reader(tmp_path):
    """History before the DAGs' old start date (2026-01-01) used to "succeed" without running a task.
    An analyst's read-only connection is open when the run starts: it waits, names the reader, then runs."""
    from creditwh.simulate import SimConfig, simulate_to_landing

    day = dt.date(2019, 6, 30)
    simulate_to_landing(SimConfig(n_accounts=200, start_date=day, seed=5), 1, tmp_path / "landing")
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    hold = "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print('ready', flush=True); "
    reader = subprocess.Popen(  # holds the file until told to let go (a line on its stdin)
        [sys.executable, "-c", hold + "sys.stdin.readline()", str(warehouse)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert reader.stdout.readline().strip() == "ready"
    run = _start(tmp_path, "--start", str(day), "--end", str(day), stderr=subprocess.STDOUT)
    try:
        waiting = next((line for line in run.stdout if "held open" in line or "success" in line), "")
        assert waiting.startswith(f"warehouse {warehouse} is held open by "), (
            waiting + run.stdout.read()[-3000:]
        )
        assert f"(PID {reader.pid}): waiting up to 120 s" in waiting
        reader.communicate("let go\n", timeout=30)
        stdout = run.stdout.read()  # to the end: the run has finished
        run.wait(timeout=60)
    finally:
        reader.kill()
        run.kill()
    assert run.returncode == 0, stdout[-3000:]
    assert f"warehouse {warehouse} is free: running" in stdout
    assert f"credit_daily {day}: success" in stdout
    assert f"credit_bureau_monthly {day}: success" in stdout

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (accounts,) = con.execute(
            "select count(*) from raw.accounts where business_date = ?", [day]
        ).fetchone()
        (fact,) = con.execute(
            "select count(*) from marts.fct_account_daily where business_date = ?", [day]
        ).fetchone()
    finally:
        con.close()
    assert accounts >= 190 and fact == accounts
    assert list((tmp_path / "outbox" / "metro2" / str(day)).glob("*.dat"))
    assert (tmp_path / "outbox" / "blacklist" / str(day)).is_dir()


@pytest.mark.slow
def test_sigterm_stops_a_run_waiting_for_its_drop_and_a_second_run_is_refused_meanwhile(data_dir):
    _hide_drop(data_dir, DAY)
    first = _start(data_dir, "--start", str(DAY), "--end", str(DAY), "--wait-for-drop")
    try:
        _wait_for_sensor(data_dir, first)  # Airflow has run a task: its own SIGTERM handler is installed

        second = _run(data_dir, "--start", str(DAY), "--end", str(DAY), "--wait-for-drop", timeout=120)
        assert second.returncode == 2
        (refused,) = _error_lines(second.stderr)
        assert refused.startswith(
            f"creditwh: another creditwh run is using {data_dir} (pid {first.pid}, started "
        )
        assert refused.endswith("wait until it ends: two runs at once on one data directory corrupt Airflow's "
                                "record of both")  # fmt: skip
        assert first.poll() is None and _sensor_state(data_dir) == "up_for_reschedule"  # left alone

        first.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        _, stderr = first.communicate(timeout=15)
        assert time.monotonic() - stopped < 10
    finally:
        first.kill()
    assert first.returncode == 128 + signal.SIGTERM
    assert _error_lines(stderr) == [
        f"creditwh: stopped by SIGTERM during credit_daily {DAY}: that run did not finish, run its date again"
    ]
    assert "Traceback" not in stderr


@pytest.mark.slow
def test_a_killed_run_leaves_no_lock_and_the_date_runs_afterwards(data_dir):
    hidden = _hide_drop(data_dir, DAY)
    killed = _start(data_dir, "--start", str(DAY), "--end", str(DAY), "--wait-for-drop")
    try:
        _wait_for_sensor(data_dir, killed)
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.communicate(timeout=30)

    shutil.move(hidden, data_dir / "landing" / str(DAY) / manifest_name(DAY))  # the drop completes
    done = _run(data_dir, "--start", str(DAY), "--end", str(DAY))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert f"credit_daily {DAY}: success" in done.stdout
