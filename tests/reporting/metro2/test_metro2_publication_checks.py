"""The publication runs the consistency checks on the simulated warehouse: a vanished account or a Date of First
Delinquency the daily history contradicts stops the period (nothing published, the error names account and
rule), and a clean period records what was checked in its manifest."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)
MODEL = "restricted.rpt_bureau_accounts"


def _published_rows(settings, period: dt.date) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        exists = con.execute("""SELECT count(*) FROM information_schema.tables
                                WHERE table_schema = 'reporting' AND table_name = 'bureau_published'""").fetchone()[
            0
        ]
        if not exists:  # created by the first publication's transaction
            return 0
        return con.execute(
            "SELECT count(*) FROM reporting.bureau_published WHERE period_end = ?", [period]
        ).fetchone()[0]


def test_an_account_missing_from_the_next_period_stops_its_publication(settings):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2.consistency import Metro2ConsistencyError

    publish_bureau(JAN, settings)
    with duckdb.connect(str(settings.warehouse_path)) as con:  # February loses a January account
        (gone,) = con.execute(
            f"""SELECT min(account_id) FROM {MODEL} WHERE period_end = ? AND account_status = '11'
                AND account_id IN (SELECT account_id FROM {MODEL} WHERE period_end = ?)""",
            [FEB, JAN],
        ).fetchone()
        con.execute(f"DELETE FROM {MODEL} WHERE period_end = ? AND account_id = ?", [FEB, gone])
    with pytest.raises(
        Metro2ConsistencyError, match=f"account {gone}, field account_status, rule vanished_account"
    ):
        publish_bureau(FEB, settings)
    assert not (settings.outbox_dir / "metro2" / f"{FEB}").exists()
    assert _published_rows(settings, FEB) == 0


def _make_delinquent(settings, dofd: dt.date) -> str:
    """Turn one current January account 78 (64 and 65 days past due on 30 and 31 Jan in the daily fact, so
    the history's DOFD is 30 Jan - 34 days = 27 Dec) and report it with `dofd`; returns the account."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        (account,) = con.execute(
            f"SELECT min(account_id) FROM {MODEL} WHERE period_end = ? AND account_status = '11'", [JAN]
        ).fetchone()
        con.execute(
            "UPDATE marts.fct_account_daily SET days_past_due = 64 + (business_date - DATE '2026-01-30') "
            "WHERE account_id = ? AND business_date IN (DATE '2026-01-30', DATE '2026-01-31')",
            [account],
        )
        con.execute(
            f"""UPDATE {MODEL} SET account_status = '78', amount_past_due = 50, date_first_delinquency = ?
                WHERE period_end = ? AND account_id = ?""",
            [dofd, JAN, account],
        )
    return account


def test_a_dofd_the_daily_history_contradicts_stops_the_publication(settings):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2.consistency import Metro2ConsistencyError

    late = dt.date(2026, 1, 26)  # period end - (DPD - 30): a month late
    account = _make_delinquent(settings, late)
    with pytest.raises(Metro2ConsistencyError) as exc:
        publish_bureau(JAN, settings)
    message = str(exc.value)
    for part in (f"account {account}", "rule dofd_history", "DOFD 01262026 in the file",
                 "the daily history gives 12272025"):  # fmt: skip
        assert part in message
    assert not (settings.outbox_dir / "metro2" / f"{JAN}").exists()
    assert _published_rows(settings, JAN) == 0


def test_the_dofd_the_daily_history_gives_is_published(settings):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2 import read_metro2

    account = _make_delinquent(settings, dt.date(2025, 12, 27))
    (path,) = publish_bureau(JAN, settings)["files"]
    manifest = json.loads(Path(path + ".manifest.json").read_text())
    assert manifest["dofd_checked"] >= 1
    (record,) = [r for r in read_metro2(path)["data"] if r["base"]["consumer_account_number"] == account]
    assert record["base"]["date_first_delinquency"] == dt.date(2025, 12, 27)


def test_the_manifest_says_what_the_checks_covered(settings):
    from creditwh.pipeline.extracts import publish_bureau

    publish_bureau(JAN, settings)
    (path,) = publish_bureau(FEB, settings)["files"]
    manifest = json.loads(Path(path + ".manifest.json").read_text())
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        delinquent, charged_off = con.execute(
            f"""SELECT count(*) FILTER (WHERE account_status IN ('71', '78', '80', '82', '83', '84')),
                       count(*) FILTER (WHERE account_status IN ('97', '64'))
                FROM {MODEL} WHERE period_end = ?""",
            [FEB],
        ).fetchone()
    assert manifest["dofd_checked"] + manifest["dofd_frozen"] == delinquent + charged_off
    assert manifest["dofd_checked"] >= delinquent
