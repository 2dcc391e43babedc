"""Consumer disputes and their legal clock (int_account_disputes -> restricted.rpt_bureau_disputes), checked
against an independent recomputation from the raw daily snapshots: a dispute is received on the first day of
a run of flagged days, and is overdue once open more than 20 days."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest
from extracts_warehouse import run_dbt

pytestmark = pytest.mark.slow

DAYS = [dt.date(2026, 2, 26), dt.date(2026, 2, 27), dt.date(2026, 2, 28)]


def _expected_disputes(con) -> pd.DataFrame:
    """Open disputes per day, by walking each account's daily flags in date order (the rule in plain words)."""
    raw = con.execute("""select business_date, account_id, coalesce(dispute_flag, false) as flag
                         from raw.accounts order by account_id, business_date""").df()  # fmt: skip
    rows, received = [], {}
    for r in raw.itertuples():
        if not r.flag:
            received.pop(r.account_id, None)
            continue
        since = received.setdefault(r.account_id, r.business_date)
        rows.append((r.business_date.date(), r.account_id, since.date()))
    return pd.DataFrame(rows, columns=["business_date", "account_id", "received_on"])


def test_disputes_match_an_independent_walk_of_the_daily_flags(extracts_data_dir):
    warehouse = extracts_data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        # the small book has almost no disputes: the platform flags a few more (one open since January,
        # one cleared and raised again, one raised on the last day)
        accounts = [
            r[0]
            for r in con.execute("select distinct account_id from raw.accounts order by 1 limit 3").fetchall()
        ]
        for account, flagged in zip(accounts, ("business_date >= '2026-01-20'",
                                               "business_date between '2026-02-10' and '2026-02-20' or business_date >= '2026-02-25'",
                                               "business_date = '2026-02-28'"), strict=True):  # fmt: skip
            con.execute(f"update raw.accounts set dispute_flag = ({flagged}) where account_id = ?", [account])
    # the first build processes every date up to its own; the next two are daily (changes-only) runs
    for day in DAYS:
        run_dbt(warehouse, "build", "--select", "int_person_bureau_jurisdiction", "int_account_disputes", "rpt_bureau_disputes",
                "--exclude-resource-type", "unit_test", "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}')  # fmt: skip
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = _expected_disputes(con)
        built = con.execute(
            "select business_date, account_id, received_on from intermediate.int_account_disputes"
        ).df()
        report = con.execute("""select business_date, account_id, received_on, days_open, is_overdue, bureau
                                from restricted.rpt_bureau_disputes""").df()  # fmt: skip
    key = ["business_date", "account_id"]
    for frame in (built, report):
        frame["business_date"] = pd.to_datetime(frame["business_date"]).dt.date
        frame["received_on"] = pd.to_datetime(frame["received_on"]).dt.date
    assert len(expected) > 0 and expected["received_on"].nunique() > 1
    assert (
        built.sort_values(key).reset_index(drop=True).equals(expected.sort_values(key).reset_index(drop=True))
    )

    on_report_days = expected[expected["business_date"].isin(DAYS)].sort_values(key).reset_index(drop=True)
    report = report.sort_values(key).reset_index(drop=True)
    assert report[["business_date", "account_id", "received_on"]].equals(on_report_days)
    days_open = (pd.to_datetime(report["business_date"]) - pd.to_datetime(report["received_on"])).dt.days
    assert report["days_open"].tolist() == days_open.tolist()
    assert report["is_overdue"].tolist() == (days_open > 20).tolist()
    assert report["is_overdue"].any() and not report["is_overdue"].all()
    assert report["bureau"].notna().any()


def test_dispute_unit_tests_ran(extracts_data_dir):
    warehouse = extracts_data_dir / "warehouse.duckdb"
    run_dbt(warehouse, "build", "--select", "int_person_bureau_jurisdiction", "int_account_disputes", "rpt_bureau_disputes",
            "--exclude-resource-type", "unit_test", "--vars", '{business_date: "2026-02-28"}')  # fmt: skip
    result = run_dbt(warehouse, "test", "--select", "int_account_disputes,resource_type:unit_test",
                     "rpt_bureau_disputes,resource_type:unit_test")  # fmt: skip
    ran = sorted(r.node.name for r in result.result.results if str(r.status) == "pass")
    assert ran == ["dispute_daily_run_carries_the_previous_date", "dispute_is_overdue_after_twenty_days",
                   "dispute_received_on_is_kept_until_cleared"]  # fmt: skip
