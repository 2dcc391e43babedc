"""A publication killed (SIGKILL) at any step is finished by the next run: the outbox ends up byte-identical to
a run that was never interrupted, consistent with reporting.*, with no staging folder, half-delivered file or
duplicate state row left, and a restated day afterwards goes out as a correction (not a PublishConflict).

Each case runs the real task body in a subprocess that kills itself at the named step
(creditwh.faultpoint.KILL_ENV), then re-runs it, then restates the day and runs it once more."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import duckdb
import pytest
from creditwh.checksums import sha256_file
from creditwh.faultpoint import KILL_ENV
from creditwh.publish import CRASH_POINTS, MANIFEST_SUFFIX
from extracts_warehouse import rebuild_candidates

pytestmark = pytest.mark.slow

DAYS = {"blacklist": dt.date(2026, 2, 26), "metro2": dt.date(2026, 1, 31)}
TASK = """import datetime as dt, sys
from creditwh.config import settings
from creditwh.pipeline import extracts
publish = extracts.publish_blacklist if sys.argv[1] == "blacklist" else extracts.publish_bureau
publish(dt.date.fromisoformat(sys.argv[2]), settings())
"""


def _publish(data_dir, extract: str, crash: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CREDITWH_DATA_DIR": str(data_dir), KILL_ENV: crash or ""}
    return subprocess.run([sys.executable, "-c", TASK, extract, DAYS[extract].isoformat()], env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def _restate(data_dir, extract: str) -> None:
    """Change the day's marts as a re-delivered drop would (one person / two accounts); the blacklist's
    candidates are rebuilt by dbt from the restated fact, as the nightly build would."""
    day = DAYS[extract]
    warehouse = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        if extract == "blacklist":
            con.execute(
                """update marts.fct_account_daily set days_past_due = 0, account_status = 'OPEN',
                           fraud_flag = false where business_date = $d and person_id = (
                               select min(person_id) from marts.fct_account_daily
                               where business_date = $d and days_past_due >= 90)""",
                {"d": day},
            )
        else:
            con.execute("""update restricted.rpt_bureau_accounts set current_balance = current_balance + 7
                           where period_end = $d and account_id in (select account_id from restricted.rpt_bureau_accounts
                               where period_end = $d and account_status = '11' order by account_id limit 2)""",
                        {"d": day})  # fmt: skip
    if extract == "blacklist":
        rebuild_candidates(warehouse, day)


def _outbox(data_dir, extract: str) -> dict[str, bytes]:
    root = data_dir / "outbox" / extract
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _run_ok(data_dir, extract: str) -> None:
    done = _publish(data_dir, extract)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.fixture(scope="module")
def uninterrupted(extracts_warehouse, tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """Per extract: the outbox after a clean publication, and after the restated day's re-run."""
    outboxes = {}
    for extract in DAYS:
        data_dir = tmp_path_factory.mktemp(f"clean-{extract}")
        shutil.copytree(extracts_warehouse, data_dir, dirs_exist_ok=True)
        _run_ok(data_dir, extract)
        first = _outbox(data_dir, extract)
        _restate(data_dir, extract)
        _run_ok(data_dir, extract)
        outboxes[extract] = (first, _outbox(data_dir, extract))
    return outboxes


def _assert_consistent(data_dir, extract: str) -> None:
    staging = data_dir / "outbox" / ".staging"
    assert not staging.exists() or not list(staging.iterdir()), list(staging.iterdir())
    files = {p.name: p for p in (data_dir / "outbox" / extract).rglob("*") if p.is_file()}
    data = {n for n in files if not n.endswith(MANIFEST_SUFFIX)}
    assert {n + MANIFEST_SUFFIX for n in data} == set(
        files
    ) - data  # every file with its manifest, nothing else
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        deliveries = con.execute("select file_name, sha256, delivered from reporting.outbox_files where extract = ?",
                                 [extract]).fetchall()  # fmt: skip
        if extract == "blacklist":
            per_file = con.execute("""select business_date, publication_sequence, count(*)
                from reporting.blacklist_published group by all""").fetchall()
            publications = con.execute("""select business_date, publication_sequence, delta_rows
                from reporting.blacklist_publications""").fetchall()
            assert sorted((d, s) for d, s, _ in per_file if _) == sorted(
                (d, s) for d, s, n in publications if n
            )
            records = {f"blacklist_delta_{d:%Y%m%d}" + (f"_c{s:02d}" if s else "") + ".csv": n
                       for d, s, n in publications}  # fmt: skip
        else:
            records = dict(con.execute("""select file_name, count(*) from reporting.bureau_published
                                          group by all""").fetchall())  # fmt: skip
    assert {name for name, _, _ in deliveries} == data and all(ok for _, _, ok in deliveries)
    for name, digest, _ in deliveries:
        manifest = json.loads(files[name + MANIFEST_SUFFIX].read_text())
        assert sha256_file(files[name]).sha256 == manifest["sha256"] == digest, name
        if name in records:  # state rows = the records the delivered file says it holds
            assert records[name] == manifest["record_count"], name
    assert set(records) <= data


@pytest.mark.parametrize("extract", list(DAYS))
@pytest.mark.parametrize("crash", CRASH_POINTS)
def test_killed_publication_is_finished_by_the_next_run(
    extract, crash, extracts_warehouse, tmp_path, uninterrupted
):
    data_dir = tmp_path / "data"
    shutil.copytree(extracts_warehouse, data_dir)
    killed = _publish(data_dir, extract, crash)
    assert killed.returncode == -9, killed.stderr[-3000:]  # the hook really killed it at that step
    _run_ok(data_dir, extract)
    first, restated = uninterrupted[extract]
    assert _outbox(data_dir, extract) == first
    _assert_consistent(data_dir, extract)
    _run_ok(data_dir, extract)  # a plain re-run changes nothing
    assert _outbox(data_dir, extract) == first
    _restate(data_dir, extract)
    _run_ok(data_dir, extract)
    assert _outbox(data_dir, extract) == restated and len(restated) == 2 * len(first)  # + correction files
    _assert_consistent(data_dir, extract)


@pytest.mark.parametrize("extract", list(DAYS))
def test_a_killed_run_then_a_restated_day_gives_a_correction_not_a_conflict(extract, extracts_warehouse, tmp_path,
                                                                             uninterrupted):  # fmt: skip
    """The old order (outbox first, warehouse commit after) left the date stuck: the restated run found a
    delivered file it had no record of and refused to overwrite it."""
    data_dir = tmp_path / "data"
    shutil.copytree(extracts_warehouse, data_dir)
    assert _publish(data_dir, extract, "manifests_moved").returncode == -9
    _restate(data_dir, extract)
    done = _publish(data_dir, extract)
    assert done.returncode == 0 and "PublishConflict" not in done.stderr, done.stderr[-3000:]
    assert _outbox(data_dir, extract) == uninterrupted[extract][1]
    _assert_consistent(data_dir, extract)
