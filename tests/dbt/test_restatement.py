"""A re-run or a restated business date replaces that date's rows in the incremental marts, never
duplicates them, and leaves the other dates alone."""

from __future__ import annotations

import datetime as dt
import os

import duckdb
import pytest
from warehouse_build import CORE_SELECTOR, build_day, build_warehouse

pytestmark = pytest.mark.slow

START = dt.date(2026, 3, 30)


@pytest.fixture(scope="module")
def small_warehouse(tmp_path_factory):
    previous = os.environ.get("CREDITWH_WAREHOUSE_PATH")
    built = build_warehouse(tmp_path_factory.mktemp("restate"), n_accounts=300, n_days=3, start=START, seed=3,
                            selector=CORE_SELECTOR, fully_tested=lambda day: day == START)
    yield built
    if previous is not None:
        os.environ["CREDITWH_WAREHOUSE_PATH"] = previous


def _per_date(con, table: str) -> dict:
    return dict(con.execute(f"select business_date, count(*) from marts.{table} group by 1").fetchall())


def test_rerun_and_restatement_replace_the_date(small_warehouse):
    path = str(small_warehouse.warehouse_path)
    os.environ["CREDITWH_WAREHOUSE_PATH"] = path
    day2 = small_warehouse.business_dates[1]
    tables = ("fct_account_daily", "mart_aging_daily", "mart_delinquency_rates")
    with duckdb.connect(path) as con:
        before = {t: _per_date(con, t) for t in tables}
        raw_count = con.execute("select count(*) from raw.accounts where business_date = ?", [day2]).fetchone()[0]
    assert before["fct_account_daily"][day2] == raw_count

    build_day(day2, selector=CORE_SELECTOR)  # plain re-run: nothing changes
    with duckdb.connect(path) as con:
        assert {t: _per_date(con, t) for t in tables} == before
        # restatement: the platform corrects one account's balance and DPD for day 2
        account = con.execute("select min(account_id) from raw.accounts where business_date = ? "
                              "and account_status = 'OPEN'", [day2]).fetchone()[0]
        con.execute("update raw.accounts set current_balance = current_balance + 1000, days_past_due = 45, "
                    "amount_past_due = 50 "
                    "where business_date = ? and account_id = ?", [day2, account])
        other_days = con.execute("select business_date, sum(current_balance) from marts.fct_account_daily "
                                 "where business_date <> ? group by 1 order by 1", [day2]).fetchall()

    build_day(day2, selector=CORE_SELECTOR)
    with duckdb.connect(path) as con:
        assert {t: _per_date(con, t) for t in tables} == before  # replaced, not duplicated
        row = con.execute("select days_past_due, bucket_code, metro2_account_status from marts.fct_account_daily "
                          "where business_date = ? and account_id = ?", [day2, account]).fetchone()
        assert row == (45, "M2", "71")
        fact_total, aging_total = con.execute(
            "select (select sum(current_balance) from marts.fct_account_daily where business_date = $1), "
            "(select sum(current_balance) from marts.mart_aging_daily where business_date = $1)", [day2]
        ).fetchone()
        assert fact_total == aging_total
        raw_total = con.execute("select sum(current_balance) from raw.accounts where business_date = ?",
                                [day2]).fetchone()[0]
        assert fact_total == raw_total
        assert con.execute("select business_date, sum(current_balance) from marts.fct_account_daily "
                           "where business_date <> ? group by 1 order by 1", [day2]).fetchall() == other_days
