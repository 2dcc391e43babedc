"""The Metro 2 report on a simulated book, checked against recomputations written here from the raw daily
snapshots (issue #14): jurisdiction routing, the Date of First Delinquency from the daily history, final
records for accounts that leave the book, fraud, and January's payment history.

The book: 3,000 accounts from 1 Jan to 28 Feb, 70 % of customers identified by an SSN or a passport (so a
few hundred US consumers reach the Metro 2 file; the default book is 92 % Chinese) and more fraud, debt sales
and settlements than the default, so every kind of final record occurs. Built the way the nightly run
builds, with gaps: a first build on 25 Jan (every date up to it in one pass), 31 Jan (the first period),
28 Feb (the dates in between processed by that run)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from extracts_warehouse import run_dbt

pytestmark = pytest.mark.slow

START, N_DAYS = dt.date(2026, 1, 1), 59
JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)
SELECT = ["+rpt_bureau_accounts", "+rpt_bureau_j1", "+fct_account_daily", "+dim_customer_pii"]  # the tests read the persons
FINAL = {"13", "64", "05", "DF"}
US_STATES = {  # the 50 states, DC and the territories
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
    "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI",
    "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI",
}  # fmt: skip


def _build(warehouse: Path, day: dt.date) -> None:
    run_dbt(warehouse, "build", "--select", *SELECT, "--resource-type", "model", "--resource-type", "seed",
            "--resource-type", "snapshot",
            "--exclude-resource-type", "unit_test", "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}')  # fmt: skip


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    from creditwh.load import load_drop
    from creditwh.simulate import SimConfig, simulate_to_landing

    root = tmp_path_factory.mktemp("bureau_book")
    config = SimConfig(n_accounts=3000, start_date=START, seed=23, non_cn_share=0.7, p_fraud=0.0004,
                       p_debt_sale=0.01, p_settle_in_full=0.3, initial_charged_off_share=0.03)  # fmt: skip
    drops = simulate_to_landing(config, N_DAYS, root / "landing")
    warehouse = root / "warehouse.duckdb"
    for i, drop in enumerate(drops):
        load_drop(warehouse, drop, START + dt.timedelta(days=i), accept=True)
    for day in (dt.date(2026, 1, 25), JAN, FEB):
        _build(warehouse, day)
    return warehouse


def _query(warehouse: Path, sql: str, params=None) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute(sql, params or []).df()
    for column in frame.columns:
        if column.endswith("_date") or column in ("business_date", "period_end", "date_first_delinquency"):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _raw(warehouse: Path) -> pd.DataFrame:
    return _query(
        warehouse,
        """select business_date, account_id, customer_id, account_status, status_reason,
                                       coalesce(days_past_due, 0) as days_past_due, amount_past_due,
                                       current_balance, charge_off_date, closed_date, open_date, fraud_flag
                                from raw.accounts""",
    )


def _persons(warehouse: Path) -> pd.DataFrame:
    """Each customer's person and the bureau this test derives for that person from dim_customer_pii."""
    frame = _query(
        warehouse,
        """select c.customer_id, p.person_id, p.id_type, p.id_number_is_valid, p.state_code,
                                        p.postal_code, j.bureau
                                 from intermediate.int_customer_person c
                                 join restricted.dim_customer_pii p using (person_id)
                                 left join intermediate.int_person_bureau_jurisdiction j using (person_id)""",
    )
    zip_ok = frame["postal_code"].fillna("").str.replace("-", "").str.fullmatch(r"\d{5}(\d{4})?")
    us = frame["state_code"].isin(US_STATES) & zip_ok
    valid = frame["id_number_is_valid"].fillna(False).astype(bool)
    frame["expected_bureau"] = None
    frame.loc[valid & (frame["id_type"] == "SSN") & us, "expected_bureau"] = "METRO2"
    frame.loc[valid & (frame["id_type"] == "CN_RESIDENT_ID"), "expected_bureau"] = "PBOC"
    return frame


def _report(warehouse: Path) -> pd.DataFrame:
    return _query(
        warehouse,
        """select period_end, account_id, person_id, account_status, payment_rating,
                                       payment_history_profile, date_first_delinquency
                                from restricted.rpt_bureau_accounts""",
    )


# -- jurisdiction -------------------------------------------------------------------------------------------


def test_only_us_consumers_reach_the_metro2_file_and_all_of_them_do(book):
    persons = _persons(book)
    assert (persons["bureau"].fillna("-") == persons["expected_bureau"].fillna("-")).all(), persons[
        persons["bureau"].fillna("-") != persons["expected_bureau"].fillna("-")].head()  # fmt: skip
    assert {"METRO2", "PBOC"} <= set(persons["bureau"].dropna()) and persons["bureau"].isna().any()

    report = _report(book)
    bureau_of = persons.drop_duplicates("person_id").set_index("person_id")["expected_bureau"]
    assert set(report["person_id"].map(bureau_of)) == {"METRO2"}
    for period in (JAN, FEB):
        # every US consumer with an account the period end's snapshot does not report as final (DF, 13, ...
        # are sent once, when they happen) is in the file
        ongoing = _query(book, """select customer_id from marts.fct_account_daily
                                  where business_date = ? and metro2_account_status not in ('13', '64', '05', 'DF')""",
                         [period])  # fmt: skip
        at_end = ongoing.merge(persons, on="customer_id")
        us_persons = set(at_end.loc[at_end["expected_bureau"] == "METRO2", "person_id"])
        reported = set(report.loc[report["period_end"] == period, "person_id"])
        assert us_persons <= reported and len(us_persons) > 100


def test_joint_segments_only_for_us_consumers(book):
    joint = _query(
        book,
        """select j.joint_person_id, b.bureau from restricted.rpt_bureau_j1 j
                            left join intermediate.int_person_bureau_jurisdiction b on b.person_id = j.joint_person_id""",
    )
    assert set(joint["bureau"]) <= {"METRO2"}


# -- Date of First Delinquency ------------------------------------------------------------------------------


def _expected_delinquency_starts(raw: pd.DataFrame) -> pd.DataFrame:
    """Walk each account's days in order: a delinquency starts on a day with days past due above 0 (or a
    charge-off), ends on a current day; its date is set on its first day at 30+ days past due (that day -
    (days past due - 30)), or the charge-off date, and kept until it ends."""
    rows = []
    for account_id, days in raw.sort_values("business_date").groupby("account_id", sort=False):
        dofd, delinquent = None, False
        for day in days.itertuples(index=False):
            if day.days_past_due > 0 or pd.notna(day.charge_off_date):
                if not delinquent:
                    dofd, delinquent = None, True
                if dofd is None and day.days_past_due >= 30:
                    dofd = day.business_date - dt.timedelta(days=int(day.days_past_due) - 30)
                if dofd is None and pd.notna(day.charge_off_date):
                    dofd = day.charge_off_date
                rows.append((day.business_date, account_id, dofd))
            else:
                delinquent = False
    return pd.DataFrame(rows, columns=["business_date", "account_id", "date_first_delinquency"])


def test_delinquency_start_matches_a_recomputation_from_raw_days(book):
    raw = _raw(book)
    built = _query(book, "select business_date, account_id, date_first_delinquency "
                         "from intermediate.int_account_delinquency_start")  # fmt: skip
    expected = _expected_delinquency_starts(raw)
    key = ["business_date", "account_id"]
    merged = expected.merge(built, on=key, how="outer", suffixes=("_expected", "_built"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(20)
    both_null = (
        merged["date_first_delinquency_expected"].isna() & merged["date_first_delinquency_built"].isna()
    )
    differing = merged[
        ~both_null & (merged["date_first_delinquency_expected"] != merged["date_first_delinquency_built"])
    ]
    assert differing.empty, differing.head(20)
    # every date was built, also those no run was started for
    assert set(built["business_date"]) == set(raw["business_date"])
    # the history holds the case the rule is about: days on which business date - (days past due - 30), the
    # report's former rule, names a later date (a partial payment lowered the days past due, no cure)
    on_day = merged.merge(raw, on=key)
    naive = pd.to_datetime(on_day["business_date"]) - pd.to_timedelta(on_day["days_past_due"] - 30, unit="D")
    built_date = pd.to_datetime(on_day["date_first_delinquency_built"])
    later = (on_day["days_past_due"] >= 30) & on_day["charge_off_date"].isna() & (naive != built_date)
    assert later.sum() > 10 and (built_date[later] < naive[later]).all()


def test_report_takes_the_date_of_first_delinquency_from_the_daily_history(book):
    report, raw = _report(book), _raw(book)
    expected = _expected_delinquency_starts(raw)
    # each reported account's state day: the period end, or the day it closed during the period
    state_days = raw.merge(report[["period_end", "account_id"]], on="account_id")
    state_days = state_days[(state_days["business_date"] <= state_days["period_end"])
                            & (state_days["business_date"] > state_days["period_end"] - dt.timedelta(days=31))]  # fmt: skip
    state_days = state_days.sort_values("business_date").groupby(["period_end", "account_id"]).tail(1)
    checked = report.merge(
        state_days[["period_end", "account_id", "business_date"]], on=["period_end", "account_id"]
    )
    checked = checked.merge(
        expected, on=["business_date", "account_id"], how="left", suffixes=("", "_expected")
    )
    delinquent = checked["account_status"].isin({"71", "78", "80", "82", "83", "84", "97", "64"})
    assert delinquent.sum() > 20
    assert (checked.loc[delinquent, "date_first_delinquency"]
            == checked.loc[delinquent, "date_first_delinquency_expected"]).all()  # fmt: skip
    assert checked.loc[checked["account_status"] == "11", "date_first_delinquency"].isna().all()


# -- accounts that leave the book, fraud --------------------------------------------------------------------


def test_no_account_vanishes_and_nothing_follows_a_final_record(book):
    report, raw, persons = _report(book), _raw(book), _persons(book)
    jan = report[report["period_end"] == JAN].set_index("account_id")
    feb = report[report["period_end"] == FEB].set_index("account_id")
    # every January account whose record was not final is in February's file
    ongoing = set(jan.index[~jan["account_status"].isin(FINAL)])
    assert ongoing - set(feb.index) == set()
    # nothing after a final record
    assert set(jan.index[jan["account_status"].isin(FINAL)]) & set(feb.index) == set()
    # every US consumer's account that left the book in February has its final record there
    us_customers = set(persons.loc[persons["expected_bureau"] == "METRO2", "customer_id"])
    left = raw[(raw["business_date"] > JAN) & raw["account_status"].isin({"CLOSED", "TRANSFERRED"})
               & raw["customer_id"].isin(us_customers)]  # fmt: skip
    assert len(left) >= 5
    assert set(left["account_id"]) <= set(feb.index[feb["account_status"].isin(FINAL)])
    transferred = left.loc[left["account_status"] == "TRANSFERRED", "account_id"]  # a fraud charge-off is never sold
    assert len(transferred) > 0 and set(feb.loc[list(transferred), "account_status"]) == {"05"}
    assert set(feb.loc[list(transferred), "payment_rating"]) == {"L"}  # sold charge-offs
    paid = left.loc[(left["account_status"] == "CLOSED") & left["charge_off_date"].notna()
                    & (left["status_reason"] != "FRAUD"), "account_id"]  # fmt: skip
    assert set(feb.loc[list(paid), "account_status"]) <= {"64"}


def test_fraud_is_deleted_once_when_the_account_is_closed_for_it(book):
    report, raw = _report(book), _raw(book)
    deleted = report[report["account_status"] == "DF"]
    assert len(deleted) >= 3 and deleted["account_id"].is_unique
    # each DF record reports an account that left OPEN with its fraud flag or for fraud
    closed_for_fraud = raw[(raw["account_status"] != "OPEN")
                           & (raw["fraud_flag"] | (raw["status_reason"] == "FRAUD"))]  # fmt: skip
    assert set(deleted["account_id"]) <= set(closed_for_fraud["account_id"])
    # an open account whose fraud flag is set is reported as usual
    flagged_open = raw[
        (raw["account_status"] == "OPEN") & raw["fraud_flag"] & raw["business_date"].isin([JAN, FEB])
    ]
    flagged = report.merge(
        flagged_open.drop(columns="account_status"),
        left_on=["period_end", "account_id"],
        right_on=["business_date", "account_id"],
    )
    assert len(flagged) > 0 and "DF" not in set(flagged["account_status"])
    # every account of a US consumer closed for fraud in February is deleted in February's file
    us_customers = set(_persons(book).query("expected_bureau == 'METRO2'")["customer_id"])
    feb_closures = closed_for_fraud[(closed_for_fraud["business_date"] > JAN)
                                    & closed_for_fraud["customer_id"].isin(us_customers)
                                    # the day it left OPEN: its charge-off, else its closure
                                    & (closed_for_fraud["charge_off_date"].fillna(closed_for_fraud["closed_date"]) > JAN)]  # fmt: skip
    reported_df = set(deleted.loc[deleted["period_end"] == FEB, "account_id"])
    assert len(feb_closures) > 0 and set(feb_closures["account_id"]) <= reported_df


# -- January's payment history ------------------------------------------------------------------------------


def test_first_period_profile_starts_from_the_first_snapshot(book):
    report, raw = _report(book), _raw(book)
    paid_jan1 = set(
        _query(book, "select account_id from raw.payments where business_date = ?", [START])["account_id"]
    )
    first = raw[raw["business_date"] == START].set_index("account_id")
    jan = report[report["period_end"] == JAN].set_index("account_id")
    existed = jan.index[jan.index.isin(first.index)]
    existed = [a for a in existed if first.loc[a, "open_date"] < START]

    def december(account) -> str:
        row = first.loc[account]
        if pd.notna(row["charge_off_date"]) and row["charge_off_date"] < START:
            return "L"
        if account in paid_jan1:
            return "D"
        if row["days_past_due"] >= 1 and (row["amount_past_due"] or 0) >= 1:
            return str(min((int(row["days_past_due"]) - 1) // 30, 6))
        return "E" if (row["current_balance"] or 0) <= 0 else "0"

    expected = pd.Series({a: december(a) + "B" * 23 for a in existed})
    assert (jan.loc[expected.index, "payment_history_profile"] == expected).all()
    assert {"L", "0"} <= {p[0] for p in expected} and any(p[0] in "123456" for p in expected)
    new = jan.index[~jan.index.isin(existed)]
    assert (jan.loc[new, "payment_history_profile"] == "B" * 24).all()


# -- re-runs ------------------------------------------------------------------------------------------------


def test_rerunning_a_period_gives_the_same_rows_and_other_dates_build_nothing(book, tmp_path):
    import shutil

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(book, copy)
    columns = "* exclude (period_end)"
    before = _query(
        copy,
        f"select {columns} from restricted.rpt_bureau_accounts where period_end = ? order by account_id",
        [FEB],
    )
    _build(copy, FEB)
    _build(copy, dt.date(2026, 2, 27))  # not a period end: no rows, nothing deleted
    after = _query(
        copy,
        f"select {columns} from restricted.rpt_bureau_accounts where period_end = ? order by account_id",
        [FEB],
    )
    pd.testing.assert_frame_equal(before, after)
    periods = set(
        _query(copy, "select distinct period_end from restricted.rpt_bureau_accounts")["period_end"]
    )
    assert periods == {JAN, FEB}


def test_accounts_on_a_hardship_plan_carry_the_partial_payment_agreement_comment(book, tmp_path):
    """#16 item 5, recomputed from raw.repayment_plans (the latest version of each plan delivered up to the
    period end): exactly the reported accounts on an ACTIVE HARDSHIP plan carry special comment AC, read back
    field by field (positions 151-152) from the written Metro 2 file."""
    from creditwh.reporting.metro2 import read_metro2
    from creditwh.reporting.metro2.writer import Metro2Header, write_metro2

    plans = _query(
        book, "select business_date, plan_id, account_id, plan_type, plan_status from raw.repayment_plans"
    )
    commented_anywhere = 0
    for period in (JAN, FEB):
        latest = plans[plans.business_date <= period].sort_values("business_date").groupby("plan_id").tail(1)
        on_plan = set(latest[(latest.plan_type == "HARDSHIP") & (latest.plan_status == "ACTIVE")].account_id)
        out = tmp_path / f"metro2_{period:%Y%m%d}.dat"
        with duckdb.connect() as con:
            con.execute(f"attach '{book}' as warehouse (read_only)")
            base = ("select *, 'PLANS0001' as identification_number from warehouse.restricted.rpt_bureau_accounts "
                    f"where period_end = date '{period}'")  # fmt: skip
            header = Metro2Header(reporter_name="TEST BANK", reporter_address="1 MAIN ST", activity_date=period,
                                  date_created=period)  # fmt: skip
            write_metro2(con, base, None, header, out)
        records = {r["base"]["consumer_account_number"]: r["base"] for r in read_metro2(out)["data"]}
        commented = {account for account, base in records.items() if base["special_comment"]}
        assert commented == on_plan & set(records), period
        assert {records[a]["special_comment"] for a in commented} <= {"AC"}
        commented_anywhere += len(commented)
    assert commented_anywhere > 0  # US consumers on hardship plans reached the file
