"""A restated past day, end to end: the platform corrects a month end's snapshot of one US and one Chinese
account (raw.accounts, as a re-delivered drop leaves it), the nightly dbt build of that day runs again, and the
next publications of the period send corrections in both formats - a Metro 2 correction record (indicator 1)
and a PBOC 212 of the changed segment - for exactly those accounts."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import duckdb
import pytest
from extracts_warehouse import build_day

pytestmark = pytest.mark.slow

JAN = dt.date(2026, 1, 31)
RESTATED = 1000  # the corrected balance is this much higher


def test_a_restated_month_end_gives_corrections_in_both_formats(settings):
    from creditwh.pipeline.extracts import publish_bureau, publish_pboc
    from creditwh.reporting.metro2 import read_metro2
    from creditwh.reporting.pboc.validator import validate_pboc

    assert publish_bureau(JAN, settings)["status"] == publish_pboc(JAN, settings)["status"] == "published"
    with duckdb.connect(str(settings.warehouse_path)) as con:
        (us,) = con.execute("""select min(account_id) from restricted.rpt_bureau_accounts
                               where period_end = ? and account_status = '11'""", [JAN]).fetchone()  # fmt: skip
        (cn,) = con.execute("""select min(account_id) from restricted.rpt_pboc_card_accounts
                               where period_end = ? and acct_status = '1'""", [JAN]).fetchone()  # fmt: skip
        con.execute("update raw.accounts set current_balance = current_balance + ? "
                    "where business_date = ? and account_id in (?, ?)", [RESTATED, JAN, us, cn])  # fmt: skip
        us_balance, cn_balance = (
            int(b) for (b,) in con.execute("""select floor(current_balance) from raw.accounts
                where business_date = ? and account_id in (?, ?) order by account_id = ?""", [JAN, us, cn, cn]).fetchall()
        )  # fmt: skip
    build_day(settings.warehouse_path, JAN)

    metro2 = publish_bureau(JAN, settings)
    assert (metro2["kind"], metro2["sequence"]) == ("correction", 1)
    (record,) = read_metro2(settings.outbox_dir / "metro2/2026-01-31/metro2_20260131_c01.dat")["data"]
    assert record["base"]["consumer_account_number"] == us and record["base"]["correction_indicator"] == 1
    assert int(record["base"]["current_balance"]) == us_balance

    pboc = publish_pboc(JAN, settings)
    assert (pboc["sequence"], pboc["records"]) == (1, {"210": 0, "212": 1, "213": 0, "214": 0})
    path = settings.outbox_dir / "pboc/2026-01-31/pboc_r2_20260131_c01_212.xml"
    assert validate_pboc(path).error_count == 0
    (correction,) = [r for r in ET.parse(path).getroot() if r.tag != "Header"]  # noqa: S314 - our own output
    assert (correction.findtext("ModRecCode"), correction.findtext("MdfcSgmtCode")) == (cn, "H")
    assert correction.findtext("AcctMthlyBlgInfSgmt/AcctBal") == str(cn_balance)


def test_a_dispute_open_at_the_period_end_changes_nothing_in_the_pboc_file(settings):
    """§25: the credit reference center marks the disputed record itself; our record stays as we hold it
    (docs/pboc.md §7) while the 20-day clock runs in rpt_bureau_disputes."""
    from creditwh.pipeline.extracts import publish_pboc
    from extracts_warehouse import run_dbt

    assert publish_pboc(JAN, settings)["status"] == "published"
    with duckdb.connect(str(settings.warehouse_path)) as con:
        (cn,) = con.execute("""select min(account_id) from restricted.rpt_pboc_card_accounts
                               where period_end = ? and acct_status = '1'""", [JAN]).fetchone()  # fmt: skip
        con.execute("update raw.accounts set dispute_flag = (business_date >= '2026-01-20') where account_id = ?",
                    [cn])  # fmt: skip
    build_day(settings.warehouse_path, JAN)
    run_dbt(settings.warehouse_path, "build", "--select", "int_account_disputes", "rpt_bureau_disputes",
            "--exclude-resource-type", "unit_test", "--vars", '{business_date: "2026-01-31"}')  # fmt: skip
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        open_disputes = con.execute("""select account_id, bureau, received_on, answer_due_on, is_overdue
                                       from restricted.rpt_bureau_disputes where business_date = ? and account_id = ?""",
                                    [JAN, cn]).fetchall()  # fmt: skip
    assert open_disputes == [(cn, "PBOC", dt.date(2026, 1, 20), dt.date(2026, 2, 9), False)]
    assert publish_pboc(JAN, settings)["status"] == "unchanged"
