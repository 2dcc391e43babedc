"""Issue #16 item 3 on a simulated book with plans and charges (conftest.plan_book): the plan and fee marts
equal an independent pandas recomputation from the raw tables (raw.repayment_plans, raw.charges,
raw.accounts, and the bucket seed), the plan on each account-day in fct_account_daily is the raw plan
history's, BROKEN_PLAN fires exactly for the scored accounts with a plan broken in its window, and the
blacklist exempts exactly the persons keeping a hardship plan."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest
from creditwh.config import REPO_ROOT

pytestmark = pytest.mark.slow

STATUSES = ("ACTIVE", "COMPLETED", "BROKEN", "CANCELLED")
FEE_TYPES = {
    "interest_amount": "INTEREST",
    "penalty_interest_amount": "PENALTY_INTEREST",
    "late_fee_amount": "LATE_FEE",
    "annual_fee_amount": "ANNUAL_FEE",
    "instalment_fee_amount": "INSTALMENT_FEE",
    "cash_advance_fee_amount": "CASH_ADVANCE_FEE",
}


@pytest.fixture(scope="module")
def con(plan_book):
    c = duckdb.connect(str(plan_book.warehouse))
    yield c
    c.close()


@pytest.fixture(scope="module")
def raw(con):
    plans = con.execute("select business_date, plan_id, account_id, upper(plan_type) as plan_type, start_date, "
                        "upper(plan_status) as plan_status, status_date from raw.repayment_plans").df()  # fmt: skip
    accounts = con.execute("select business_date, account_id, product_code, account_status, days_past_due "
                           "from raw.accounts").df()  # fmt: skip
    charges = con.execute("select business_date, account_id, upper(charge_type) as charge_type, charge_amount, "
                          "reverses_charge_id from raw.charges").df()  # fmt: skip
    for frame, cols in ((plans, ["business_date", "start_date", "status_date"]), (accounts, ["business_date"]),
                        (charges, ["business_date"])):  # fmt: skip
        for col in cols:
            frame[col] = pd.to_datetime(frame[col])
    return plans, accounts, charges


def _bucket(accounts: pd.DataFrame) -> pd.Series:
    """The bucket of each account row from seed dpd_buckets (status buckets first, then the DPD ranges)."""
    seed = pd.read_csv(REPO_ROOT / "dbt_project" / "seeds" / "dpd_buckets.csv", dtype=str)
    bucket = pd.Series(None, index=accounts.index, dtype=object)
    for row in seed.itertuples():
        if isinstance(row.account_status, str):
            hit = accounts["account_status"] == row.account_status
        else:
            hit = (accounts["account_status"] == "OPEN") & (accounts["days_past_due"] >= int(row.min_dpd))
            if isinstance(row.max_dpd, str):
                hit &= accounts["days_past_due"] <= int(row.max_dpd)
        bucket[hit & bucket.isna()] = row.bucket_code
    return bucket


def _expected_performance(plans, accounts, as_of: pd.Timestamp) -> pd.DataFrame:
    known = plans[plans["business_date"] <= as_of].sort_values("business_date")
    latest = known.groupby("plan_id").tail(1).set_index("plan_id")
    first_seen = known.groupby("plan_id")["business_date"].min()
    rows = accounts[accounts["business_date"] <= as_of].set_index(["account_id", "business_date"])
    out = latest[["plan_type", "plan_status", "account_id", "start_date"]].copy()
    out["start_month"] = out["start_date"].dt.to_period("M").dt.to_timestamp()
    for months in (0, 3, 6):
        milestone = out["start_date"] + pd.DateOffset(months=months)
        key = pd.MultiIndex.from_arrays([out["account_id"], milestone])
        found = rows.reindex(key)
        measured = (
            found["days_past_due"].notna().to_numpy()
            & (milestone >= first_seen.reindex(out.index)).to_numpy()
        )
        charged_off = (found["account_status"] == "CHARGED_OFF").to_numpy()
        dpd = found["days_past_due"].to_numpy()
        out[f"measured_{months}"] = measured
        out[f"past_due_{months}"] = measured & ((dpd > 0) | charged_off)
        out[f"dpd30_{months}"] = measured & ((dpd >= 30) | charged_off)
        out[f"current_{months}"] = measured & ~((dpd > 0) | charged_off)
    out["delinquent_start_measured_3"] = out["past_due_0"] & out["measured_3"]
    out["cured_3"] = out["past_due_0"] & out["current_3"]
    agg = {"plans_started": ("plan_status", "size")}
    for status in STATUSES:
        out[status] = out["plan_status"] == status
        agg[f"plans_{status.lower()}"] = (status, "sum")
    for months in (3, 6):
        agg[f"plans_measured_{months}m"] = (f"measured_{months}", "sum")
        agg[f"plans_past_due_{months}m"] = (f"past_due_{months}", "sum")
        agg[f"plans_30_plus_{months}m"] = (f"dpd30_{months}", "sum")
    agg["plans_delinquent_at_start_measured_3m"] = ("delinquent_start_measured_3", "sum")
    agg["plans_cured_3m"] = ("cured_3", "sum")
    expected = out.groupby(["plan_type", "start_month"]).agg(**agg).reset_index()
    return expected.sort_values(["plan_type", "start_month"]).reset_index(drop=True)


@pytest.mark.parametrize("as_of_index", [-1, -3, 59])
def test_plan_performance_equals_pandas_from_raw(con, raw, plan_book, as_of_index):
    """mart_repayment_plan_performance on a daily-run date (-1), a backfilled date (-3: the last backfilled
    one) and 1 Mar (59) equals the plans recounted from raw: status as of the date, past due / 30+ at +3 and
    +6 months, cure on plan. The book must have broken, completed and cured plans to compare."""
    plans, accounts, _ = raw
    as_of = pd.Timestamp(plan_book.days[as_of_index])
    expected = _expected_performance(plans, accounts, as_of)
    got = con.execute("select * from marts.mart_repayment_plan_performance where business_date = ? "
                      "order by plan_type, start_month", [as_of.date()]).df()  # fmt: skip
    got["start_month"] = pd.to_datetime(got["start_month"])
    columns = list(expected.columns)
    pd.testing.assert_frame_equal(got[columns].astype({c: "int64" for c in columns[2:]}),
                                  expected.astype({c: "int64" for c in columns[2:]}))  # fmt: skip
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = got["plans_cured_3m"] / got["plans_delinquent_at_start_measured_3m"].replace(0, np.nan)
    assert np.allclose(got["cure_rate_3m"].astype(float), rate, equal_nan=True)
    if as_of_index == -1:
        totals = expected[[f"plans_{s.lower()}" for s in STATUSES]].sum()
        assert totals["plans_broken"] > 0 and totals["plans_completed"] > 0 and totals["plans_active"] > 0, (
            totals
        )
        assert expected["plans_measured_3m"].sum() > 0 and expected["plans_cured_3m"].sum() > 0


def _expected_fees(accounts, charges) -> pd.DataFrame:
    rows = accounts.assign(bucket_code=_bucket(accounts))
    joined = charges.merge(rows[["business_date", "account_id", "product_code", "bucket_code"]],
                           on=["business_date", "account_id"], how="left", validate="many_to_one")  # fmt: skip
    assert joined["bucket_code"].notna().all(), "a charge on an account not delivered that day"
    amount = joined["charge_amount"].astype(float)
    write_off = (joined["charge_type"] == "WAIVER") & joined["reverses_charge_id"].isna()
    for column, charge_type in FEE_TYPES.items():
        joined[column] = np.where(joined["charge_type"] == charge_type, amount, 0.0)
    joined["waived_amount"] = np.where((joined["charge_type"] == "WAIVER") & ~write_off, -amount, 0.0)
    joined["reversed_amount"] = np.where(joined["charge_type"] == "REVERSAL", -amount, 0.0)
    joined["settlement_write_off_amount"] = np.where(write_off, -amount, 0.0)
    joined["net_income_amount"] = np.where(write_off, 0.0, amount)
    joined["month"] = joined["business_date"].dt.to_period("M")
    sums = [
        *FEE_TYPES,
        "waived_amount",
        "reversed_amount",
        "settlement_write_off_amount",
        "net_income_amount",
    ]
    return joined.groupby(["month", "product_code", "bucket_code"])[sums].sum().round(2)


def test_fee_income_equals_pandas_from_raw(con, raw, plan_book):
    """mart_fee_income_monthly of each loaded month end equals raw.charges summed by month, product and the
    bucket of the account on the posting date (computed here from raw.accounts and seed dpd_buckets), with
    waivers, reversals and settlement write-offs apart; the daily mart sums to the same months."""
    _, accounts, charges = raw
    expected = _expected_fees(accounts, charges)
    month_ends = [d for d in plan_book.days if (d + dt.timedelta(days=1)).day == 1]
    assert len(month_ends) == 3
    expected = expected[
        expected.index.get_level_values("month").isin([pd.Period(d, "M") for d in month_ends])
    ]
    got = con.execute("select * from marts.mart_fee_income_monthly order by all").df()
    got["month"] = pd.to_datetime(got["period_end"]).dt.to_period("M")
    got = got.set_index(["month", "product_code", "bucket_code"])[expected.columns].astype(float)
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_exact=False, atol=0.005)
    daily = con.execute("select * from marts.mart_fee_income_daily").df()
    daily["month"] = pd.to_datetime(daily["business_date"]).dt.to_period("M")
    daily_months = daily.groupby(["month", "product_code", "bucket_code"])[list(expected.columns)].sum()
    all_months = _expected_fees(accounts, charges)
    pd.testing.assert_frame_equal(daily_months.astype(float).sort_index(), all_months.sort_index(),
                                  check_exact=False, atol=0.005)  # fmt: skip
    assert expected["net_income_amount"].sum() > 0 and expected["waived_amount"].sum() > 0
    for kind in FEE_TYPES:  # every charge type of the fee schedule posts in the book
        assert expected[kind].sum() > 0, kind


@pytest.mark.parametrize("day_index", [-1, 45])
def test_fact_carries_the_raw_plan_of_the_day(con, raw, plan_book, day_index):
    """fct_account_daily's plan on a daily-run date and a backfilled one equals the raw plan history's: the
    account's plan ACTIVE as of the date (its latest version delivered on or before it), else the plan whose
    final version was delivered that day; no plan otherwise."""
    plans, _, _ = raw
    day = pd.Timestamp(plan_book.days[day_index])
    known = plans[plans["business_date"] <= day].sort_values("business_date")
    latest = known.groupby("plan_id").tail(1)
    shown = latest[(latest["plan_status"] == "ACTIVE") | (latest["business_date"] == day)].copy()
    shown["rank"] = (shown["plan_status"] != "ACTIVE").astype(int)
    shown = shown.sort_values(
        ["account_id", "rank", "status_date", "plan_id"], ascending=[True, True, False, False]
    )
    expected = (
        shown.groupby("account_id").head(1).set_index("account_id")[["plan_id", "plan_type", "plan_status"]]
    )
    got = con.execute("select account_id, plan_id, plan_type, plan_status from marts.fct_account_daily "
                      "where business_date = ? and plan_id is not null", [day.date()]).df().set_index("account_id")  # fmt: skip
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False)
    assert (expected["plan_type"] == "HARDSHIP").any()


def test_broken_plan_signal_fires_for_plans_broken_in_its_window(con, raw, plan_book):
    """On every date, BROKEN_PLAN fires exactly for the scored (OPEN) accounts with a plan whose BROKEN status
    date is in the last 90 days (seed window), delivered by then, and adds its 25 points; it fired in the book."""
    plans, _, _ = raw
    window, points = con.execute("select window_length, points from marts.early_warning_signals "
                                 "where signal_code = 'BROKEN_PLAN'").fetchone()  # fmt: skip
    scored = con.execute(
        "select business_date, account_id from intermediate.int_early_warning_account_features"
    ).df()
    scored["business_date"] = pd.to_datetime(scored["business_date"])
    broken = plans[plans["plan_status"] == "BROKEN"]
    pairs = scored.merge(broken, on="account_id", suffixes=("", "_plan"))
    in_window = pairs[(pairs["status_date"] <= pairs["business_date"])
                      & (pairs["status_date"] > pairs["business_date"] - pd.Timedelta(days=int(window)))
                      & (pairs["business_date_plan"] <= pairs["business_date"])]  # fmt: skip
    expected = in_window.groupby(["business_date", "account_id"]).size().rename("signal_value").reset_index()
    got = con.execute("select business_date, account_id, signal_value, points from marts.fct_early_warning_signals "
                      "where signal_code = 'BROKEN_PLAN' order by 1, 2").df()  # fmt: skip
    got["business_date"] = pd.to_datetime(got["business_date"])
    assert len(expected) > 0
    assert (got["points"] == points).all()
    pd.testing.assert_frame_equal(got[["business_date", "account_id", "signal_value"]],
                                  expected.sort_values(["business_date", "account_id"]).reset_index(drop=True),
                                  check_dtype=False)  # fmt: skip


def test_blacklist_exempts_exactly_the_persons_keeping_a_hardship_plan(con):
    """On every date, a person with a listing reason qualifies unless one of their accounts is on an ACTIVE
    HARDSHIP plan that day (and fraud is not confirmed); the book has exempted persons to show it."""
    rows = con.execute("""
        select c.business_date, c.person_id, c.reason_codes, c.qualifies, c.is_on_kept_hardship_plan,
               c.is_fraud_confirmed,
               coalesce(k.kept, false) as kept
        from restricted.rpt_blacklist_candidates c
        left join (select business_date, person_id, bool_or(plan_type = 'HARDSHIP' and plan_status = 'ACTIVE') kept
                   from marts.fct_account_daily group by all) k using (business_date, person_id)
    """).df()  # fmt: skip
    assert (rows["is_on_kept_hardship_plan"] == rows["kept"]).all()
    expected = (rows["reason_codes"] != "") & (~rows["kept"] | rows["is_fraud_confirmed"])
    assert (rows["qualifies"] == expected).all()
    assert ((rows["reason_codes"] != "") & rows["kept"] & ~rows["qualifies"]).sum() > 0


PLAN_SUITES = {"marts_repayment_plan_performance", "marts_fee_income_daily", "marts_fee_income_monthly"}
# one inconsistency each, on the date (?) given twice
PLANTED_STATUS_COUNT = (
    "update marts.mart_repayment_plan_performance set plans_active = plans_active + 1 where business_date = ? "
    "and plans_started = (select max(plans_started) from marts.mart_repayment_plan_performance "
    "where business_date = ?)"
)
PLANTED_DAILY_FEE = (
    "update marts.mart_fee_income_daily set late_fee_amount = late_fee_amount + 1 where business_date = ? "
    "and bucket_code = (select min(bucket_code) from marts.mart_fee_income_daily where business_date = ?)"
)
PLANTED_MONTHLY_FEE = (
    "update marts.mart_fee_income_monthly set annual_fee_amount = annual_fee_amount + 1 where period_end = ? "
    "and ? is not null"
)


@pytest.mark.parametrize(
    ("day_index", "planted", "suite", "rule"),
    [
        (-1, PLANTED_STATUS_COUNT, "marts_repayment_plan_performance", "statuses_add_up"),
        (-1, PLANTED_DAILY_FEE, "marts_fee_income_daily", "income_adds_up"),
        (-11, PLANTED_MONTHLY_FEE, "marts_fee_income_monthly", "income_adds_up"),
    ],
    ids=["plan_status_counts", "daily_fee_parts", "monthly_fee_parts"],
)
def test_marts_gate_checks_the_plan_and_fee_marts(plan_book, tmp_path, day_index, planted, suite, rule):
    """The plan and fee suites run on the book's dates and pass, and the platform's hardship flag agrees with
    the plans; one planted inconsistency is the only failure among them. (The monthly mart has a row on a
    month end only, and the daily fee mart none on the 29th to 31st, when no statement is cut.)"""
    from creditwh.config import Settings
    from creditwh.quality import ValidationGateFailed, run_marts_gate
    from warehouse_build import copy_warehouse

    settings = Settings(data_dir=tmp_path)
    copy_warehouse(plan_book.warehouse, settings.warehouse_path)
    day = plan_book.days[day_index]
    with duckdb.connect(str(settings.warehouse_path)) as c:
        assert c.execute(planted, [day, day]).fetchone()[0] >= 1
    with pytest.raises(ValidationGateFailed) as failed:  # the book builds only the plan marts' lineage
        run_marts_gate(day, settings)
    ours = [o for o in failed.value.result.outcomes if o.suite in PLAN_SUITES]
    assert {o.suite for o in ours} == PLAN_SUITES
    assert {suite, "marts_repayment_plan_performance"} <= {o.suite for o in ours if not o.skipped}
    assert [(o.suite, o.rule) for o in ours if not o.success and not o.skipped] == [(suite, rule)]
    (flag,) = [o for o in failed.value.result.outcomes if o.rule == "hardship_flag_matches_plan"]
    assert flag.success and not flag.skipped
