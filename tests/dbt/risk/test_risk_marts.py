"""Independent checks of the roll-rate and early-warning marts on several simulated months.

The pandas / numpy code re-implements the documented definitions from raw.accounts (seed dpd_buckets for
the states, opening balance floored at 0 as the weight, bad = 30+ DPD or charged off within the horizon)
rather than reading the SQL: the month-end roll-rate matrix, AUC as the share of bad-over-good pairs
(ties 1/2) and KS as the largest gap between the cumulative score distributions.
"""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb
import numpy as np
import pandas as pd
import pytest
from warehouse_build import DBT_PROJECT_DIR, copy_warehouse, run_dbt, warehouse_env

pytestmark = pytest.mark.slow

RISK_MODELS = (
    "int_account_statement_cycles",
    "int_account_cycle_features",
    "int_early_warning_bad_entries",
    "mart_bucket_transitions_daily",
    "mart_roll_rate_monthly",
    "mart_flow_rates_monthly",
    "fct_early_warning_signals",
    "mart_early_warning_daily",
    "mart_collections_queue",
    "mart_early_warning_performance",
    "fct_person_risk_conditions",
    "fct_person_risk_rating_daily",
    "mart_person_rating_rises",
)


def _query(path, sql: str) -> pd.DataFrame:
    # same configuration as dbt's in-process connection (DuckDB refuses a second, read-only one)
    con = duckdb.connect(str(path))
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def _states(accounts: pd.DataFrame) -> pd.Series:
    """Bucket of each account-day per seed dpd_buckets: absorbing statuses win (CLOSED only once nothing
    is owed), otherwise the DPD range."""
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "dpd_buckets.csv", dtype=str, keep_default_na=False)
    state = pd.Series(None, index=accounts.index, dtype="object")
    for row in seed[seed["account_status"] == ""].itertuples():
        upper = int(row.max_dpd) if row.max_dpd else 10**9
        state[accounts["days_past_due"].between(int(row.min_dpd), upper)] = row.bucket_code
    for row in seed[seed["account_status"] != ""].itertuples():
        hit = accounts["account_status"] == row.account_status
        if row.account_status == "CLOSED":
            hit &= accounts["current_balance"] <= 0
        state[hit] = row.bucket_code
    return state


def expected_roll_rates(raw: pd.DataFrame) -> pd.DataFrame:
    month_ends = sorted(d for d in raw["business_date"].unique() if (d + dt.timedelta(days=1)).day == 1)
    raw = raw.assign(state=_states(raw), weight=raw["current_balance"].clip(lower=0))
    frames = []
    for before, after in itertools.pairwise(month_ends):
        opening = raw[raw["business_date"] == before][["account_id", "state", "weight"]]
        closing = raw[raw["business_date"] == after][["account_id", "state"]]
        moved = opening.merge(closing, on="account_id", how="left", suffixes=("_from", "_to"))
        moved["state_to"] = moved["state_to"].fillna("MISSING")
        cells = (
            moved.groupby(["state_from", "state_to"])
            .agg(accounts=("account_id", "size"), opening_balance=("weight", "sum"))
            .reset_index()
        )
        totals = cells.groupby("state_from")[["accounts", "opening_balance"]].transform("sum")
        cells["count_rate"] = cells["accounts"] / totals["accounts"]
        cells["balance_rate"] = (cells["opening_balance"] / totals["opening_balance"]).where(
            totals["opening_balance"] > 0
        )
        cells["to_month_end"] = after
        frames.append(cells.rename(columns={"state_from": "from_bucket", "state_to": "to_bucket"}))
    return pd.concat(frames, ignore_index=True)


def _raw_accounts(path) -> pd.DataFrame:
    raw = _query(
        path,
        """
        select business_date, account_id, upper(account_status) as account_status,
               coalesce(days_past_due, 0) as days_past_due, cast(current_balance as double) as current_balance
        from raw.accounts
    """,
    )
    raw["business_date"] = pd.to_datetime(raw["business_date"]).dt.date
    return raw


def test_roll_rate_matrix_matches_pandas(risk_warehouse):
    expected = expected_roll_rates(_raw_accounts(risk_warehouse.warehouse_path))
    actual = _query(
        risk_warehouse.warehouse_path,
        """
        select to_month_end, from_bucket, to_bucket, accounts, cast(opening_balance as double) as opening_balance,
               count_rate, balance_rate
        from marts.mart_roll_rate_monthly
    """,
    )
    actual["to_month_end"] = pd.to_datetime(actual["to_month_end"]).dt.date
    keys = ["to_month_end", "from_bucket", "to_bucket"]
    assert sorted(actual["to_month_end"].unique()) == [dt.date(2026, 2, 28), dt.date(2026, 3, 31),
                                                       dt.date(2026, 4, 30)]  # fmt: skip
    merged = expected.merge(actual, on=keys, how="outer", suffixes=("_exp", "_act"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"][keys + ["_merge"]]
    assert (merged["accounts_exp"] == merged["accounts_act"]).all()
    np.testing.assert_allclose(merged["opening_balance_act"], merged["opening_balance_exp"], atol=0.005)
    np.testing.assert_allclose(merged["count_rate_act"], merged["count_rate_exp"], rtol=1e-12)
    np.testing.assert_allclose(merged["balance_rate_act"].fillna(-1), merged["balance_rate_exp"].fillna(-1),
                               rtol=1e-9)  # fmt: skip
    # the book moves: there is something besides "stay" in the matrix
    assert {"MISSING", "CHARGED_OFF"} <= set(merged["to_bucket"])
    assert (merged["from_bucket"] != merged["to_bucket"]).sum() >= 10


def _auc_ks(scores: np.ndarray, bad: np.ndarray) -> tuple[float, float]:
    bad_scores, good_scores = scores[bad], scores[~bad]
    pairs = bad_scores[:, None] - good_scores[None, :]
    auc = ((pairs > 0).sum() + 0.5 * (pairs == 0).sum()) / pairs.size
    thresholds = np.unique(scores)
    cum_bad = (bad_scores[None, :] <= thresholds[:, None]).mean(axis=1)
    cum_good = (good_scores[None, :] <= thresholds[:, None]).mean(axis=1)
    return float(auc), float(np.abs(cum_bad - cum_good).max())


def test_auc_ks_and_bad_rates_match_numpy(risk_warehouse):
    path = risk_warehouse.warehouse_path
    raw = _raw_accounts(path)
    raw["is_bad"] = (raw["days_past_due"] >= 30) | (raw["account_status"] == "CHARGED_OFF")
    performance = _query(path, "select * from marts.mart_early_warning_performance")
    performance["as_of_date"] = pd.to_datetime(performance["as_of_date"]).dt.date
    overall = performance[performance["tier"] == "all"]
    assert set(overall["horizon_days"]) == {30, 60, 90}
    latest = max(risk_warehouse.business_dates)
    evaluated_on = pd.to_datetime(overall["evaluated_on"]).dt.date
    assert (
        evaluated_on
        == [
            a + dt.timedelta(days=int(h))
            for a, h in zip(overall["as_of_date"], overall["horizon_days"], strict=True)
        ]
    ).all()
    assert max(evaluated_on) == latest

    checked = ranked = 0
    for as_of, horizon in [(dt.date(2026, 1, 30), 90), (dt.date(2026, 2, 28), 60), (dt.date(2026, 3, 31), 30),
                           (dt.date(2026, 3, 15), 30)]:  # fmt: skip
        scores = _query(
            path,
            f"""
            select account_id, score, tier from marts.mart_early_warning_daily
            where business_date = date '{as_of}' and days_past_due < 30
        """,
        )
        window = raw[
            (raw["business_date"] > as_of) & (raw["business_date"] <= as_of + dt.timedelta(days=horizon))
        ]
        bad_accounts = set(window.loc[window["is_bad"], "account_id"])
        bad = scores["account_id"].isin(bad_accounts).to_numpy()
        auc, ks = _auc_ks(scores["score"].to_numpy(dtype=float), bad)
        rows = performance[(performance["as_of_date"] == as_of) & (performance["horizon_days"] == horizon)]
        row = rows[rows["tier"] == "all"].iloc[0]
        assert row["accounts"] == len(scores) and row["bad_accounts"] == bad.sum()
        # no account going bad in the window leaves AUC and KS undefined (NaN) on both sides
        assert row["auc"] == pytest.approx(auc, abs=1e-9, nan_ok=True)
        assert row["ks"] == pytest.approx(ks, abs=1e-9, nan_ok=True)
        ranked += bool(bad.sum()) and not bad.all()
        for tier, group in scores.assign(bad=bad).groupby("tier"):
            tier_row = rows[rows["tier"] == tier].iloc[0]
            assert tier_row["bad_rate"] == pytest.approx(group["bad"].mean(), abs=1e-12)
        checked += 1
    assert checked == 4 and ranked >= 3
    # the score ranks: accounts that go bad score higher than the rest on the simulated book
    assert overall[overall["horizon_days"] == 30]["auc"].mean() > 0.6


def test_daily_runs_equal_a_backfill(risk_warehouse):
    """The last days were built one business date at a time; a full rebuild of the risk models from the
    same history must give the same rows for those days (incremental windows read enough history)."""
    path = risk_warehouse.warehouse_path
    first_daily = risk_warehouse.daily_dates[0]
    date_columns = {"mart_roll_rate_monthly": "to_month_end", "mart_flow_rates_monthly": "to_month_end",
                    "mart_early_warning_performance": "evaluated_on"}  # fmt: skip
    schemas = {
        "int_account_statement_cycles": "intermediate",
        "int_account_cycle_features": "intermediate",
        "int_early_warning_bad_entries": "intermediate",
    }

    def snapshot() -> dict[str, pd.DataFrame]:
        frames = {}
        for model in RISK_MODELS:
            column = date_columns.get(model, "business_date")
            frame = _query(path, f"select * from {schemas.get(model, 'marts')}.{model} "
                                 f"where {column} >= date '{first_daily}'")  # fmt: skip
            frames[model] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return frames

    daily = snapshot()
    assert len(daily["mart_roll_rate_monthly"]) > 0  # 30 Apr is a month end
    assert len(daily["mart_early_warning_daily"]) > 0
    with warehouse_env(path):
        run_dbt(["run", "--full-refresh", "--select", *RISK_MODELS])
    backfilled = snapshot()
    for model in RISK_MODELS:
        pd.testing.assert_frame_equal(daily[model], backfilled[model], check_exact=False, rtol=1e-12,
                                      obj=model)  # fmt: skip


def test_changed_cycle_windows_stop_the_daily_run(risk_warehouse, tmp_path):
    """int_account_cycle_features bakes the seed's cycle windows into its rows. When the rows the signals
    read were computed with other windows, the daily run stops with the fix in the message and writes
    nothing; after the rebuild it names, the run goes through."""
    path = tmp_path / "warehouse.duckdb"
    copy_warehouse(risk_warehouse.warehouse_path, path)
    features = "intermediate.int_account_cycle_features"
    with duckdb.connect(str(path)) as con:
        # the last two dates on which statements appeared (cycle days are 1-28)
        last, day_before = [row[0] for row in con.execute(
            f"select distinct business_date from {features} order by 1 desc limit 2").fetchall()]  # fmt: skip
        current_key = con.execute(f"select distinct cycle_policy_key from {features}").fetchall()
        assert len(current_key) == 1
        con.execute(f"update {features} set cycle_policy_key = 'stored-with-other-windows' "
                    f"where business_date = ?", [day_before])  # fmt: skip
        stored = con.execute(f"select count(*) from {features} where business_date = ?", [last]).fetchone()[0]
    assert stored > 0
    daily_run = ["run", "--select", "int_account_cycle_features", "--vars", f'{{business_date: "{last}"}}']
    with warehouse_env(path):
        with pytest.raises(RuntimeError, match=r"cycle windows changed.*stored-with-other-windows.*"
                                               r"--full-refresh --select int_account_cycle_features\+"):  # fmt: skip
            run_dbt(daily_run)
        with duckdb.connect(str(path)) as con:
            assert con.execute(f"select count(*) from {features} where business_date = ?", [last]).fetchone()[0] \
                == stored  # fmt: skip
        run_dbt(["run", "--full-refresh", "--select", "int_account_cycle_features"])
        run_dbt(daily_run)
    with duckdb.connect(str(path)) as con:
        assert con.execute(f"select distinct cycle_policy_key from {features}").fetchall() == current_key
