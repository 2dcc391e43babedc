"""The README's first command, `creditwh demo`, on a small book: every date runs through Airflow (a catch-up
of all but the last, then its nightly run), and the marts analysts read hold plausible figures for every
simulated day and month.

Runs as a newcomer would (a subprocess with its own data directory and Airflow home, no blacklist key set),
from 31 January to 28 February so the window holds two month ends: one roll-rate month and two bureau files.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

START = dt.date(2026, 1, 31)
DAYS = 29
END = START + dt.timedelta(days=DAYS - 1)
MONTH_ENDS = [dt.date(2026, 1, 31), dt.date(2026, 2, 28)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    data_dir = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CREDITWH_"))}
    env["CREDITWH_DATA_DIR"] = str(data_dir)
    creditwh = Path(sys.executable).with_name("creditwh")
    args = [str(creditwh), "demo", "--accounts", "300", "--days", str(DAYS), "--start", START.isoformat()]
    done = subprocess.run(args, check=False, env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return data_dir, done.stdout, done.stderr


@pytest.fixture(scope="module")
def warehouse(demo):
    con = duckdb.connect(str(demo[0] / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def _dates(con, sql: str) -> list[dt.date]:
    return [row[0] for row in con.execute(sql).fetchall()]


def test_the_dates_ran_through_airflow_as_a_catch_up_then_the_last_one_nightly(demo):
    """Every date but the last in one history-load run that publishes (a catch-up), then the last date's
    nightly run and, being a month end, the bureau run; the earlier month end's files came from the catch-up
    (test_customers_are_masked_for_bi_and_bureau_files_were_published)."""
    out = demo[1]
    assert f"credit_history_load {END - dt.timedelta(days=1)}: success" in out
    assert f"credit_daily {END}: success" in out and f"credit_bureau_monthly {END}: success" in out
    assert "credit_daily" not in out.replace(f"credit_daily {END}", "")
    assert "done in" in out


def test_the_demo_ends_with_a_summary_not_interpreter_exit_noise(demo):
    """Before: the output ended with pages of nanobind "leaked instance" lines (the run loop's gc.freeze()
    kept DuckDB's objects from being freed at exit). Now: a summary of what was built and where to look."""
    data_dir, out, err = demo
    lines = out.strip().splitlines()
    assert "leaked" not in out + err and "nanobind" not in out + err
    # the summary is the last block: it grows with each extract, so it is found from the end, not by a line count
    last = len(lines) - 1 - lines[::-1].index("Summary")
    summary = "\n".join(lines[last:])
    assert lines[-1].startswith("  next: ./dev simulate"), lines[-3:]
    assert f"business dates: {START} to {END}, {DAYS} with marts that passed their gate" in summary
    for extract in ("blacklist", "metro2"):
        folder = data_dir / "outbox" / extract
        dated = sorted(p.name for p in folder.iterdir() if p.is_dir())
        assert f"    {extract}: {len(dated)} dates ({dated[0]} to {dated[-1]})" in summary
        assert str(folder) in summary
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        (facts,) = con.execute("select count(*) from marts.fct_account_daily").fetchone()
    assert f"fct_account_daily {facts:,}" in summary
    assert f"warehouse: {data_dir / 'warehouse.duckdb'}" in summary and "next: ./dev simulate" in summary


def test_daily_marts_cover_every_simulated_date(warehouse):
    every_date = [START + dt.timedelta(days=i) for i in range(DAYS)]
    for mart in (
        "fct_account_daily",
        "mart_aging_daily",
        "mart_delinquency_rates",
        "mart_early_warning_daily",
    ):
        assert (
            _dates(warehouse, f"select distinct business_date from marts.{mart} order by 1") == every_date
        ), mart
    # the transitions view compares each date with the one before: every date after the first
    transitions = _dates(
        warehouse, "select distinct business_date from marts.mart_bucket_transitions_daily order by 1"
    )
    assert transitions[-(DAYS - 1) :] == every_date[1:]


def test_plan_fee_and_rating_marts_hold_plausible_figures_for_every_date_and_month(warehouse):
    """Issue #16's marts after the README's first command: the plan inventory and the person rating on every
    date; fee income on every date a statement is cut (cycle days 1-28) and for the month end; the rating's
    tiers and the income within plausible bounds of the book."""
    every_date = [START + dt.timedelta(days=i) for i in range(DAYS)]
    assert _dates(warehouse, "select distinct business_date from marts.mart_repayment_plan_performance "
                  "order by 1") == every_date  # fmt: skip
    assert _dates(warehouse, "select distinct business_date from marts.fct_person_risk_rating_daily "
                  "order by 1") == every_date  # fmt: skip
    cut_dates = [d for d in every_date if d.day <= 28]
    assert set(cut_dates) <= set(_dates(warehouse, "select distinct business_date from marts.mart_fee_income_daily"))
    plans, active = warehouse.execute("select sum(plans_started), sum(plans_active) from "
                                      "marts.mart_repayment_plan_performance where business_date = ?", [END]).fetchone()  # fmt: skip
    assert 0 < active <= plans
    # a month's income on a 300-account book: interest near 22 % a year of the revolving balance, and an
    # annual fee for about a twelfth of the accounts
    interest, annual, gross, net = warehouse.execute(
        "select sum(interest_amount)::double, sum(annual_fee_amount)::double, sum(gross_income_amount), "
        "sum(net_income_amount) from marts.mart_fee_income_monthly where period_end = ?", [MONTH_ENDS[1]]
    ).fetchone()
    balance = warehouse.execute("select sum(greatest(current_balance, 0))::double from marts.fct_account_daily "
                                "where business_date = ?", [MONTH_ENDS[1]]).fetchone()[0]  # fmt: skip
    assert 0.002 * balance < interest < 0.022 * balance, (interest, balance)
    assert 5 * 100 <= annual <= 60 * 100, annual
    assert 0 < net <= gross
    ratings = dict(warehouse.execute("select rating, count(*) from marts.fct_person_risk_rating_daily "
                                     "where business_date = ? group by 1", [END]).fetchall())  # fmt: skip
    assert set(ratings) <= {"low", "medium", "high"} and ratings.get("low", 0) > sum(ratings.values()) / 2


def test_collections_kpis_cover_every_date_and_the_lists_were_published_every_day(demo, warehouse):
    """Issue #15 after the README's first command: contact KPIs on every date with 接通率 in a plausible band,
    the compliance mart empty on the clean book, and a treatment and a reminder list for every date."""
    every_date = [START + dt.timedelta(days=i) for i in range(DAYS)]
    assert _dates(warehouse, "select distinct business_date from marts.mart_collections_contact_daily "
                  "order by 1") == every_date  # fmt: skip
    connects, calls = warehouse.execute("select sum(connects), sum(call_attempts) "
                                        "from marts.mart_collections_contact_daily").fetchone()  # fmt: skip
    assert calls > 0 and 0.2 < connects / calls < 0.9, (connects, calls)
    assert warehouse.execute("select count(*) from marts.mart_collections_compliance").fetchone()[0] == 0
    folders = sorted(p.name for p in (demo[0] / "outbox" / "collections").iterdir())
    assert folders == [f"{d:%Y-%m-%d}" for d in every_date]
    for folder in folders:
        names = {p.name for p in (demo[0] / "outbox" / "collections" / folder).glob("*.csv")}
        assert any(n.startswith("treatment_list_") for n in names) and any(
            n.startswith("reminder_list_") for n in names
        ), folder


def test_aging_is_the_whole_book_every_day_and_delinquency_appears(warehouse):
    per_day = warehouse.execute(
        """
        select a.business_date, sum(a.account_count), cast(sum(a.share_of_book_accounts) filter (where a.is_on_book) as double),
               f.accounts, f.delinquent
        from marts.mart_aging_daily a
        join (select business_date, count(*) as accounts, count(*) filter (where days_past_due > 0) as delinquent
              from marts.fct_account_daily group by 1) f using (business_date)
        group by a.business_date, f.accounts, f.delinquent
        """
    ).fetchall()
    assert len(per_day) == DAYS
    for business_date, aged, share, accounts, _ in per_day:
        assert aged == accounts, business_date
        assert share == pytest.approx(1.0), business_date
    # a plausible book: 300 accounts, some of them past due by the end of February
    assert per_day[0][3] >= 290
    assert max(row[4] for row in per_day) > 0


def test_the_month_end_roll_rate_matrix_rows_sum_to_one(warehouse):
    rows = warehouse.execute(
        """
        select from_month_end, to_month_end, from_bucket, sum(count_rate), sum(accounts), max(from_accounts)
        from marts.mart_roll_rate_monthly group by all order by all
        """
    ).fetchall()
    assert rows, "no roll-rate month between 31 January and 28 February"
    assert {(r[0], r[1]) for r in rows} == {(MONTH_ENDS[0], MONTH_ENDS[1])}
    for _, _, from_bucket, count_rate, accounts, from_accounts in rows:
        assert count_rate == pytest.approx(1.0), from_bucket
        assert accounts == from_accounts, from_bucket
    # account-tracked: every account on the book at the first month end is in exactly one cell
    opening = warehouse.execute(
        "select count(*) from marts.fct_account_daily where business_date = ?", [MONTH_ENDS[0]]
    ).fetchone()[0]
    assert sum(r[4] for r in rows) == opening


def test_customers_are_masked_for_bi_and_bureau_files_were_published(demo, warehouse):
    people = warehouse.execute(
        "select count(*), count(distinct person_id) from marts.dim_customer"
    ).fetchone()
    assert people[0] == people[1] > 0
    clear = warehouse.execute(
        "select count(*) from marts.dim_customer d join restricted.dim_customer_pii p using (person_id) "
        "where d.id_number_masked = p.id_number or d.mobile_phone_masked = p.mobile_phone"
    ).fetchone()[0]
    assert clear == 0
    outbox = demo[0] / "outbox"
    for month_end in MONTH_ENDS:
        assert list((outbox / "metro2" / f"{month_end:%Y-%m-%d}").glob("*.dat")), month_end
    assert len(list((outbox / "blacklist").iterdir())) == DAYS
