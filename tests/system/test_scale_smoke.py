"""Scale smoke: 50,000 accounts across a month end through the whole nightly run (benchmarks/nightly.py:
simulate, then `creditwh run`'s own path for every date and the bureau DAG after the month end), every
extract published and each one checked against its manifest and its format's validator.

The kind of run that would have caught the 1M month-end bureau failure and the 10M duplicate-subject crash
before a release; target under 5 minutes on a quiet 2-core machine. CREDITWH_SCALE_SMOKE_ACCOUNTS changes
the size (at least 50,000 in CI).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
ACCOUNTS = int(os.environ.get("CREDITWH_SCALE_SMOKE_ACCOUNTS", "50000"))
START, DAYS = dt.date(2026, 1, 30), 3  # 30 Jan, the 31 Jan month end, 1 Feb
DATES = [START + dt.timedelta(days=i) for i in range(DAYS)]
MONTH_END = dt.date(2026, 1, 31)
MANIFEST = ".manifest.json"


@pytest.fixture(scope="module")
def nightly(tmp_path_factory) -> tuple[Path, dict]:
    data_dir = tmp_path_factory.mktemp("scale") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CREDITWH_"))}
    args = [sys.executable, str(REPO_ROOT / "benchmarks" / "nightly.py"), "--accounts", str(ACCOUNTS),
            "--days", str(DAYS), "--start", str(START), "--data-dir", str(data_dir)]  # fmt: skip
    done = subprocess.run(args, check=False, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    print(done.stdout)  # the benchmark's table, in the test log
    return data_dir, json.loads((data_dir / "nightly.json").read_text())


def test_every_date_and_the_month_end_bureau_run_succeeded(nightly):
    _, result = nightly
    assert "error" not in result
    runs = {(r["dag_id"], r["business_date"]) for r in result["runs"]}
    assert {("credit_daily", str(d)) for d in DATES} | {("credit_bureau_monthly", str(MONTH_END))} == runs
    failed = [t for t in result["tasks"] if t["state"] == "failed"]
    assert not failed, failed
    loaded = [t["rows"] for t in result["tasks"] if t["task_id"] == "load_raw"]
    assert len(loaded) == DAYS and all(rows >= ACCOUNTS for rows in loaded)  # accounts + payments + customers


def _published(data_dir: Path, extract: str, day: dt.date) -> list[Path]:
    folder = data_dir / "outbox" / extract / f"{day:%Y-%m-%d}"
    return sorted(p for p in folder.iterdir() if not p.name.endswith(MANIFEST)) if folder.exists() else []


def _check_manifest(path: Path) -> dict:
    from creditwh.checksums import sha256_file

    manifest = json.loads(Path(str(path) + MANIFEST).read_text())
    assert (manifest["sha256"], manifest["byte_size"]) == sha256_file(path), path
    return manifest


def test_every_extract_is_published_and_matches_its_manifest(nightly):
    """Blacklist every date; Metro 2 and every other bureau extract for the month end (whatever the bureau
    DAG publishes: each of its publish tasks has its outbox folder)."""
    data_dir, result = nightly
    for day in DATES:
        names = [p.name for p in _published(data_dir, "blacklist", day)]
        assert (
            f"blacklist_delta_{day:%Y%m%d}.csv" in names and f"blacklist_snapshot_{day:%Y%m%d}.csv" in names
        )
    bureau_tasks = {t["task_id"] for t in result["tasks"] if t["dag_id"] == "credit_bureau_monthly"}
    assert "publish_bureau_file" in bureau_tasks
    extracts = sorted(p.name for p in (data_dir / "outbox").iterdir() if not p.name.startswith("."))
    assert {"blacklist", "metro2"} <= set(extracts)
    assert len(extracts) - 1 >= len([t for t in bureau_tasks if t.startswith("publish_")])
    for extract in extracts:
        files = [p for day in DATES for p in _published(data_dir, extract, day)]
        assert files, extract
        for path in files:
            _check_manifest(path)
        if extract != "blacklist":
            assert _published(data_dir, extract, MONTH_END), extract


def test_blacklist_files_hold_their_records_with_unique_subjects(nightly):
    data_dir, _ = nightly
    for day in DATES:
        for path in _published(data_dir, "blacklist", day):
            manifest = _check_manifest(path)
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
            assert len(rows) == manifest["record_count"], path
            if "snapshot" in path.name:
                keys = [r["subject_key"] for r in rows]
                assert keys and len(keys) == len(set(keys)), path


def test_bureau_files_pass_their_validators(nightly):
    from creditwh.reporting.metro2.validator import validate_metro2

    data_dir, _ = nightly
    metro2 = _published(data_dir, "metro2", MONTH_END)
    assert metro2
    for path in metro2:
        report = validate_metro2(path)
        assert report.ok and report.data_records >= ACCOUNTS * 0.01, (path, report.error_counts_by_rule())
    pboc = _published(data_dir, "pboc", MONTH_END)
    if pboc:  # published by the bureau DAG when the PBOC extract is part of it
        from creditwh.reporting.pboc.validator import validate_pboc

        for path in pboc:
            report = validate_pboc(path)
            assert report.error_count == 0, (path, report.counts)


def test_the_benchmark_reports_each_task_and_the_sizes(nightly):
    _, result = nightly
    for task in result["tasks"]:
        assert task["seconds"] >= 0 and task["peak_rss"] > 0
    assert result["warehouse_bytes"] > 0 and result["outbox_bytes"]["blacklist"] > 0
    assert result["peak_rss_bytes"] >= max(t["peak_rss"] for t in result["tasks"]) * 0.9
