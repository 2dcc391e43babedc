"""Independent check: aging and delinquency rates recomputed from raw.accounts in plain pandas must equal
the marts dbt built day by day. The pandas code re-implements the rules from their documentation (seed
dpd_buckets, book-total convention), not from the SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from warehouse_build import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

KEYS = ["business_date", "product_code", "branch_code", "vintage_month", "bucket_code"]
SHARE_TOLERANCE = Decimal("1e-9")  # shares are numeric(18,10)


def exact_frame(con, sql: str) -> pd.DataFrame:
    """Query result with DECIMAL as Decimal and DATE as datetime.date (no float rounding)."""
    return con.sql(sql).to_arrow_table().to_pandas()


def _seed_buckets() -> pd.DataFrame:
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "dpd_buckets.csv", dtype=str, keep_default_na=False)
    seed["is_on_book"] = seed["is_on_book"].str.lower() == "true"
    return seed


def _bucket(accounts: pd.DataFrame, seed: pd.DataFrame) -> pd.Series:
    bucket = pd.Series(pd.NA, index=accounts.index, dtype="object")
    for row in seed[seed["account_status"] == ""].itertuples():  # DPD scale, a handful of rows
        upper = int(row.max_dpd) if row.max_dpd else 10**9
        bucket[(accounts["days_past_due"] >= int(row.min_dpd)) & (accounts["days_past_due"] <= upper)] = row.bucket_code
    for row in seed[seed["account_status"] != ""].itertuples():  # absorbing states win
        hit = accounts["account_status"] == row.account_status
        if row.account_status == "CLOSED":  # only once nothing is owed
            hit &= accounts["current_balance"] <= 0
        bucket[hit] = row.bucket_code
    return bucket


def expected_aging(raw_accounts: pd.DataFrame) -> pd.DataFrame:
    seed = _seed_buckets()
    acc = raw_accounts.copy()
    acc["product_code"] = acc["product_code"].str.upper()
    acc["account_status"] = acc["account_status"].str.upper()
    acc["days_past_due"] = acc["days_past_due"].fillna(0).astype(int)
    acc["vintage_month"] = acc["open_date"].map(lambda d: d.replace(day=1))
    acc["bucket_code"] = _bucket(acc, seed)
    assert acc["bucket_code"].notna().all()
    acc = acc.merge(seed[["bucket_code", "is_on_book"]], on="bucket_code")
    grouped = (
        acc.groupby(KEYS, dropna=False)
        .agg(account_count=("account_id", "size"), current_balance=("current_balance", "sum"),
             amount_past_due=("amount_past_due", "sum"), is_on_book=("is_on_book", "first"))
        .reset_index()
    )
    on_book = grouped[grouped["is_on_book"]].groupby("business_date")
    totals = pd.DataFrame({"book_accounts": on_book["account_count"].sum(), "book_balance": on_book["current_balance"].sum()})
    grouped = grouped.merge(totals, left_on="business_date", right_index=True, how="left")
    grouped["share_of_book_accounts"] = [
        Decimal(int(n)) / Decimal(int(t)) if b else None
        for n, t, b in zip(grouped["account_count"], grouped["book_accounts"], grouped["is_on_book"], strict=True)
    ]
    grouped["share_of_book_balance"] = [
        Decimal(v) / Decimal(t) if b else None
        for v, t, b in zip(grouped["current_balance"], grouped["book_balance"], grouped["is_on_book"], strict=True)
    ]
    return grouped


def _compare(actual: pd.DataFrame, expected: pd.DataFrame) -> None:
    merged = expected.merge(actual, on=KEYS, how="outer", suffixes=("_exp", "_act"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][KEYS + ["_merge"]].head()
    assert (merged["account_count_exp"].astype(int) == merged["account_count_act"].astype(int)).all()
    for money in ("current_balance", "amount_past_due"):
        diff = merged[merged[f"{money}_exp"] != merged[f"{money}_act"]]
        assert diff.empty, diff[KEYS + [f"{money}_exp", f"{money}_act"]].head()
    for share in ("share_of_book_accounts", "share_of_book_balance"):
        for exp, act in zip(merged[f"{share}_exp"], merged[f"{share}_act"], strict=True):
            if exp is None or pd.isna(exp):
                assert act is None or pd.isna(act)
            else:
                assert abs(Decimal(exp) - Decimal(act)) <= SHARE_TOLERANCE, (share, exp, act)


@pytest.fixture
def raw_accounts(warehouse_con) -> pd.DataFrame:
    return exact_frame(warehouse_con, "select * from raw.accounts")


def test_mart_aging_daily_equals_pandas_recomputation(dbt_warehouse, warehouse_con, raw_accounts):
    actual = exact_frame(warehouse_con, "select * from marts.mart_aging_daily")
    expected = expected_aging(raw_accounts)
    assert set(actual["business_date"]) == set(dbt_warehouse.business_dates)
    _compare(actual, expected)


def test_mart_aging_month_end_equals_pandas_recomputation(warehouse_con, raw_accounts):
    expected = expected_aging(raw_accounts)
    month_ends = [d for d in expected["business_date"].unique() if (d + dt.timedelta(days=1)).day == 1]
    assert len(month_ends) >= 2  # the fixture spans 31 Jan and 28 Feb
    actual = exact_frame(warehouse_con, "select * from marts.mart_aging_month_end")
    assert sorted(set(actual["business_date"])) == sorted(month_ends)
    assert (actual["report_month"] == actual["business_date"].map(lambda d: d.replace(day=1))).all()
    _compare(actual.drop(columns=["report_month"]), expected[expected["business_date"].isin(month_ends)])


def _months_before(day: dt.date, months: int) -> dt.date:
    """t - L months; a month end maps to the month end L months earlier, else the same day (clamped)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    first = dt.date(year, month + 1, 1)
    last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    if (day + dt.timedelta(days=1)).day == 1:
        return last
    return first.replace(day=min(day.day, last.day))


def test_delinquency_rates_equal_pandas_recomputation(warehouse_con, raw_accounts):
    seed = _seed_buckets()
    acc = raw_accounts.copy()
    acc["bucket_code"] = _bucket(acc, seed)
    acc = acc.merge(seed[["bucket_code", "is_on_book"]], on="bucket_code")
    book = acc[acc["is_on_book"]]
    totals = book.groupby("business_date")["current_balance"].sum()
    actual = exact_frame(warehouse_con, "select * from marts.mart_delinquency_rates").set_index("business_date")
    assert len(actual) == len(totals)
    lags = {30: 1, 60: 2, 90: 3}
    checked_lagged = 0
    for day, total in totals.items():
        row = actual.loc[day]
        assert row["book_balance"] == total
        for k, lag in lags.items():
            delinquent = book[(book["business_date"] == day) & (book["days_past_due"] >= k)]["current_balance"].sum()
            assert row[f"dpd{k}_balance"] == delinquent
            assert abs(Decimal(row[f"dq{k}_rate"]) - Decimal(delinquent) / Decimal(total)) <= SHARE_TOLERANCE
            earlier = _months_before(day, lag)
            assert row[f"lag_date_{k}"] == earlier
            if earlier in totals.index:
                expected = Decimal(delinquent) / Decimal(totals[earlier])
                assert abs(Decimal(row[f"dq{k}_lagged_rate"]) - expected) <= SHARE_TOLERANCE
                checked_lagged += 1
            else:
                assert row[f"dq{k}_lagged_rate"] is None
    assert checked_lagged > 0


def test_months_before_keeps_month_ends():
    assert _months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert _months_before(dt.date(2026, 4, 30), 1) == dt.date(2026, 3, 31)
    assert _months_before(dt.date(2026, 3, 5), 2) == dt.date(2026, 1, 5)
    assert _months_before(dt.date(2026, 3, 30), 1) == dt.date(2026, 2, 28)
