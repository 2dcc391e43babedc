"""The bureau DAG end to end through Airflow (dag.test): a small simulated book run by the daily DAG across
a month end publishes the PBOC card account file beside the Metro 2 file; the file reads back field by
field against the warehouse; re-running the month end changes no byte and sends no correction."""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET

import duckdb
import pytest

pytestmark = pytest.mark.slow

DATES = [dt.date(2026, 1, 30), dt.date(2026, 1, 31)]
MONTH_END = DATES[-1]


@pytest.fixture
def month_end_data_dir(tmp_path, monkeypatch):
    from creditwh.simulate import SimConfig, simulate_to_landing

    simulate_to_landing(
        SimConfig(n_accounts=300, start_date=DATES[0], seed=31), len(DATES), tmp_path / "landing"
    )
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path))
    return tmp_path


def _pboc_scale(dpd: int) -> str:  # 1-30 -> 1, 31-60 -> 2, ..., above 180 -> 7, written out independently
    return str(min(7, math.ceil(dpd / 30)))


def test_month_end_publishes_the_pboc_file_and_a_rerun_changes_nothing(month_end_data_dir, airflow_db):
    from creditwh import airflow_env
    from creditwh.config import settings

    assert airflow_env.run_dates("credit_daily", DATES, progress=lambda _: None) == ["success", "success"]
    s = settings()
    folder = s.outbox_dir / "pboc" / f"{MONTH_END:%Y-%m-%d}"
    assert sorted(p.name for p in folder.iterdir()) == [
        "pboc_r2_20260131.xml",
        "pboc_r2_20260131.xml.manifest.json",
    ]
    assert list((s.outbox_dir / "metro2" / f"{MONTH_END:%Y-%m-%d}").glob("*.dat"))
    delivered = {p.name: p.read_bytes() for p in folder.iterdir()}

    root = ET.parse(folder / "pboc_r2_20260131.xml").getroot()  # noqa: S314 - our own output
    records = {r.findtext("AcctBsSgmt/AcctCode"): r for r in root if r.tag == "InAcctInf"}
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        rows = con.execute("""
            select f.account_id, f.open_date, f.credit_limit, f.current_balance, f.days_past_due,
                   f.amount_past_due, f.account_status, p.id_number, coalesce(p.local_name, p.full_name)
            from marts.fct_account_daily f
            join restricted.dim_customer_pii p using (person_id)
            where f.business_date = ? and p.id_type = 'CN_RESIDENT_ID' and p.id_number_is_valid
              -- closed for confirmed fraud: deleted whole (214), never reported (docs/pboc.md §6)
              and not (f.account_status <> 'OPEN' and (f.fraud_flag or f.status_reason = 'FRAUD'))""",
                           [MONTH_END]).fetchall()  # fmt: skip
    finally:
        con.close()
    assert len(rows) > 100 and set(records) == {r[0] for r in rows}  # every resident-id account, no other
    for account, opened, limit, balance, dpd, past_due, status, id_number, name in rows:
        record = records[account]
        assert record.findtext("AcctBsSgmt/IDNum") == id_number and record.findtext("AcctBsSgmt/Name") == name
        assert record.findtext("AcctBsInfSgmt/OpenDate") == opened.isoformat()
        assert int(record.findtext("AcctBsInfSgmt/AcctCredLine")) == math.floor(limit)
        h = record.find("AcctMthlyBlgInfSgmt")
        if status == "OPEN":
            assert int(h.findtext("AcctBal")) == max(0, math.floor(balance))
            overdue = dpd > 0 and past_due >= 1
            assert h.findtext("RpyStatus") in ((_pboc_scale(dpd),) if overdue else ("N", "*")), account
            assert int(h.findtext("TotOverd")) == (math.floor(past_due) if overdue else 0)

    # re-running the month end (daily DAG, then the bureau DAG) gives the same bytes and no correction
    assert airflow_env.run_dates("credit_daily", DATES[1:], progress=lambda _: None) == ["success"]
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == delivered
