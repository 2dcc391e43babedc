"""Customer (person) risk rating on the risk warehouse's simulated months (docs/domain.md §8).

The pandas code re-implements the documented policy from the account-day fact, the early-warning tiers and
the two seeds rather than reading the SQL: rules firing per person and day (a condition on any of the
person's accounts that day or less than lookback_months earlier), the rules-based rating, the daily
carry (rise at once, one step down per clean_months_to_step_down clean months, the streak restarting after
a step), the limit review list and the SCD2 history derived from the daily ratings.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from warehouse_build import DBT_PROJECT_DIR, copy_warehouse, run_dbt, warehouse_env

pytestmark = pytest.mark.slow

# the rating models and what they read for the date (the account-day fact, the early-warning tiers)
RATING_MODELS = ("+path:models/marts/customer_risk",)


def _query(path, sql: str, params=()) -> pd.DataFrame:
    con = duckdb.connect(str(path))
    try:
        frame = con.execute(sql, list(params)).df()
    finally:
        con.close()
    for column in frame.columns:
        if column in ("business_date", "last_seen_on", "rating_changed_on", "clean_since", "step_down_due_on",
                      "valid_from", "valid_to"):  # fmt: skip
            frame[column] = pd.to_datetime(frame[column])
    return frame


def _text(values: pd.Series) -> pd.Series:
    """Values as text for comparison, nulls of any kind as '-'."""
    return values.astype(object).where(values.notna(), "-").astype(str)


def _seeds() -> tuple[pd.DataFrame, pd.DataFrame]:
    ratings = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "customer_risk_ratings.csv")
    rules = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "customer_risk_rules.csv")
    rules = rules[rules["is_enabled"]].merge(ratings[["rating", "rating_order"]], on="rating")
    return ratings, rules


def expected_conditions(accounts: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """(business_date, person_id, reason_code, last_seen_on, account_ids) for every date of the book."""
    seen = []
    for rule in rules.itertuples():
        if rule.account_condition == "early_warning_tier":
            hit = accounts["tier"] == rule.early_warning_tier
        elif rule.account_condition == "days_past_due":
            hit = accounts["days_past_due"] >= rule.min_days_past_due
        else:
            hit = accounts["account_status"] == "CHARGED_OFF"
        fired = accounts[hit].sort_values("account_id")
        days = (fired.groupby(["business_date", "person_id"])["account_id"].agg(",".join)
                .rename("account_ids").reset_index())  # fmt: skip
        seen.append(days.assign(reason_code=rule.reason_code, lookback_months=rule.lookback_months))
    seen = pd.concat(seen, ignore_index=True).rename(columns={"business_date": "seen_on"})
    frames = []
    for date in sorted(accounts["business_date"].unique()):
        candidates = seen[seen["seen_on"] <= date]
        last = candidates.loc[candidates.groupby(["person_id", "reason_code"])["seen_on"].idxmax()]
        until = [s + pd.DateOffset(months=int(m)) for s, m in zip(last["seen_on"], last["lookback_months"],
                                                                   strict=True)]  # fmt: skip
        active = last[(last["seen_on"] == date) | (date < pd.DatetimeIndex(until))]
        frames.append(active.assign(business_date=date, last_seen_on=active["seen_on"],
                                    account_ids=active["account_ids"].where(active["seen_on"] == date)))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    return out.merge(rules[["reason_code", "rating_order"]], on="reason_code")[
        ["business_date", "person_id", "reason_code", "rating_order", "last_seen_on", "account_ids"]]


def expected_ratings(persons: pd.DataFrame, conditions: pd.DataFrame, ratings: pd.DataFrame) -> pd.DataFrame:
    """The daily carry, one business date at a time (vectorized over the persons of the date)."""
    ordered = conditions.sort_values(["rating_order", "reason_code"], ascending=[False, True])
    per_day = ordered.groupby(["business_date", "person_id"]).agg(
        base=("rating_order", "max"), reason_codes=("reason_code", ",".join)).reset_index()
    days = persons.merge(per_day, on=["business_date", "person_id"], how="left")
    days["base"] = days["base"].fillna(1).astype(int)
    step_months = ratings.set_index("rating_order")["clean_months_to_step_down"]
    previous = None
    frames = []
    for date, today in days.groupby("business_date", sort=True):
        today = today.set_index("person_id")
        prev = (previous.reindex(today.index) if previous is not None
                else pd.DataFrame(index=today.index, columns=["rating", "changed_on", "clean_since"]))  # fmt: skip
        prev_rating = prev["rating"].astype(float)
        base = today["base"].astype(float)
        clean = prev_rating.notna() & (base < prev_rating)
        streak = pd.to_datetime(prev["clean_since"]).where(clean & prev["clean_since"].notna(), date).where(clean)
        months = prev_rating.map(step_months)
        due = pd.Series([s + pd.DateOffset(months=int(m)) if clean_ and not np.isnan(m) else pd.NaT
                         for s, m, clean_ in zip(streak, months, clean, strict=True)], index=today.index)  # fmt: skip
        steps = clean & due.notna() & (due <= date)
        rating = base.where(prev_rating.isna() | (base >= prev_rating),
                            prev_rating.where(~steps, prev_rating - 1))  # fmt: skip
        changed = prev_rating.isna() | (rating != prev_rating)
        changed_on = pd.to_datetime(prev["changed_on"]).where(~changed, date)
        clean_since = streak.where(~steps, date).where(rating > base)
        frame = pd.DataFrame({"business_date": date, "rating_order": rating.astype(int),
                              "previous_rating_order": prev_rating, "rating_changed_on": changed_on,
                              "clean_since": clean_since, "reason_codes": today["reason_codes"],
                              "rules_rating_order": today["base"]})  # fmt: skip
        frames.append(frame.reset_index())
        previous = pd.DataFrame({"rating": rating, "changed_on": changed_on, "clean_since": clean_since})
    out = pd.concat(frames, ignore_index=True)
    out["rating_change"] = np.select(
        [out["previous_rating_order"].isna(), out["rating_order"] > out["previous_rating_order"],
         out["rating_order"] < out["previous_rating_order"]], ["new", "rose", "fell"], "unchanged")  # fmt: skip
    return out


@pytest.fixture(scope="module")
def book(risk_warehouse):
    path = risk_warehouse.warehouse_path
    accounts = _query(path, """
        select facts.business_date, facts.account_id, facts.person_id, facts.account_status, facts.days_past_due,
               cast(facts.credit_limit as double) as credit_limit, early_warning.tier
        from marts.fct_account_daily as facts
        left join marts.mart_early_warning_daily as early_warning
            using (business_date, account_id)
    """)  # fmt: skip
    ratings, rules = _seeds()
    conditions = expected_conditions(accounts, rules)
    persons = accounts[["business_date", "person_id"]].drop_duplicates()
    return accounts, ratings, conditions, expected_ratings(persons, conditions, ratings)


def test_conditions_match_pandas(risk_warehouse, book):
    _, _, expected, _ = book
    actual = _query(risk_warehouse.warehouse_path, "select * from marts.fct_person_risk_conditions")
    keys = ["business_date", "person_id", "reason_code"]
    merged = expected.merge(actual, on=keys, how="outer", suffixes=("_exp", "_act"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(20)
    for column in ("rating_order", "last_seen_on", "account_ids"):
        differ = _text(merged[f"{column}_exp"]) != _text(merged[f"{column}_act"])
        assert not differ.any(), (column, merged.loc[differ, keys + [f"{column}_exp", f"{column}_act"]].head(10))
    # every rule fires somewhere, and the history rules outlive the day their condition held
    assert set(actual["reason_code"]) == set(_seeds()[1]["reason_code"])
    assert actual["account_ids"].isna().sum() > 0


def test_ratings_match_pandas(risk_warehouse, book):
    _, ratings, _, expected = book
    actual = _query(risk_warehouse.warehouse_path, "select * from marts.fct_person_risk_rating_daily")
    names = ratings.set_index("rating_order")["rating"]
    expected = expected.assign(
        rating=expected["rating_order"].map(names), rules_rating=expected["rules_rating_order"].map(names),
        previous_rating=expected["previous_rating_order"].map(names),
        step_down_due_on=[c + pd.DateOffset(months=int(m)) if pd.notna(c) else pd.NaT for c, m in
                          zip(expected["clean_since"], expected["rating_order"].map(
                              ratings.set_index("rating_order")["clean_months_to_step_down"]).fillna(0),
                              strict=True)])  # fmt: skip
    keys = ["business_date", "person_id"]
    merged = expected.merge(actual, on=keys, how="outer", suffixes=("_exp", "_act"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(20)
    for column in ("rating", "rating_order", "previous_rating", "rating_change", "rating_changed_on",
                   "rules_rating", "reason_codes", "clean_since", "step_down_due_on"):  # fmt: skip
        differ = _text(merged[f"{column}_exp"]) != _text(merged[f"{column}_act"])
        assert not differ.any(), (column, merged.loc[differ, keys + [f"{column}_exp", f"{column}_act"]].head(10))
    # the book moves through the whole path: rises, and falls after the clean months
    assert {"new", "rose", "fell", "unchanged"} == set(actual["rating_change"])
    assert {"low", "medium", "high"} == set(actual["rating"])


def test_rises_list_matches_pandas(risk_warehouse, book):
    accounts, ratings, conditions, expected = book
    rises = expected[expected["rating_change"] == "rose"][["business_date", "person_id", "rating_order",
                                                           "previous_rating_order"]]  # fmt: skip
    open_accounts = accounts[accounts["account_status"] == "OPEN"].sort_values("account_id")
    held = open_accounts.groupby(["business_date", "person_id"]).agg(
        open_account_ids=("account_id", ",".join), open_credit_limit=("credit_limit", "sum")).reset_index()
    triggers = conditions[conditions["account_ids"].notna()].merge(rises, on=["business_date", "person_id",
                                                                              "rating_order"])  # fmt: skip
    triggers = (triggers.sort_values("reason_code").assign(item=triggers["reason_code"] + ":" + triggers["account_ids"])
                .groupby(["business_date", "person_id"])["item"].agg("; ".join).rename("trigger_accounts").reset_index())  # fmt: skip
    expected_rises = (rises.merge(held, on=["business_date", "person_id"], how="left")
                      .merge(triggers, on=["business_date", "person_id"], how="left")
                      .merge(ratings[["rating_order", "limit_review_action"]], on="rating_order"))  # fmt: skip
    actual = _query(risk_warehouse.warehouse_path, "select * from marts.mart_person_rating_rises")
    keys = ["business_date", "person_id"]
    merged = expected_rises.merge(actual, on=keys, how="outer", suffixes=("_exp", "_act"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(20)
    assert len(merged) > 10
    for column in ("open_account_ids", "trigger_accounts", "limit_review_action"):
        differ = _text(merged[f"{column}_exp"]) != _text(merged[f"{column}_act"])
        assert not differ.any(), (column, merged.loc[differ].head(10))
    np.testing.assert_allclose(merged["open_credit_limit_act"].astype(float).fillna(-1),
                               merged["open_credit_limit_exp"].fillna(-1), atol=0.005)  # fmt: skip
    # a rise always has a reason that fired on the day
    assert merged["trigger_accounts_act"].notna().all()


def _history(path) -> pd.DataFrame:
    frame = _query(path, "select * from marts.dim_person_risk_rating_history")
    return frame.sort_values(["person_id", "valid_from"]).reset_index(drop=True)


def test_scd2_history_is_the_daily_changes_and_the_exits(risk_warehouse, book):
    """One version per rating change; a version ends at the next change or on the first loaded date the
    person is not rated (left the book), whichever comes first."""
    _, ratings, _, expected = book
    history = _history(risk_warehouse.warehouse_path)
    dates = pd.Series(sorted(expected["business_date"].unique()))
    next_loaded = dict(zip(dates, dates.shift(-1), strict=True))
    rated = expected.sort_values(["person_id", "business_date"])
    next_rated = rated.groupby("person_id")["business_date"].shift(-1)
    following = rated["business_date"].map(next_loaded)
    left = rated[following.notna() & (next_rated != following)]
    exits = pd.DataFrame({"person_id": left["person_id"], "exit_on": following[left.index]})
    changes = rated[rated["rating_changed_on"] == rated["business_date"]]
    versions = pd.DataFrame({
        "person_id": changes["person_id"].to_numpy(),
        "rating": changes["rating_order"].map(ratings.set_index("rating_order")["rating"]).to_numpy(),
        "valid_from": changes["business_date"].to_numpy(),
        "valid_to": changes.groupby("person_id")["business_date"].shift(-1).to_numpy(),
    })
    first_exit = versions.merge(exits, on="person_id", how="left")
    first_exit = first_exit[first_exit["exit_on"] > first_exit["valid_from"]]
    first_exit = first_exit.groupby(["person_id", "valid_from"])["exit_on"].min()
    exit_on = pd.Series(list(zip(versions["person_id"], versions["valid_from"], strict=True))).map(first_exit)
    versions["valid_to"] = pd.concat([versions["valid_to"], exit_on], axis=1).min(axis=1)
    assert len(exits) > 0  # persons leave the book in this run: the exit path is exercised
    pd.testing.assert_frame_equal(history[["person_id", "rating", "valid_from", "valid_to"]], versions,
                                  check_dtype=False)  # fmt: skip
    # current = open; at most one per person, none for a person not rated on the last date
    assert history["is_current"].equals(history["valid_to"].isna())
    assert history.groupby("person_id")["is_current"].sum().le(1).all()
    on_last_date = set(expected.loc[expected["business_date"] == dates.iloc[-1], "person_id"])
    assert set(history.loc[history["is_current"], "person_id"]) == on_last_date
    assert (history["valid_from"] < history["valid_to"]).where(history["valid_to"].notna(), True).all()
    # versions that meet differ in rating; a later version starts only after the previous one ended
    after = history.groupby("person_id")[["valid_from", "rating"]].shift(-1)
    meeting = after["valid_from"].notna() & (after["valid_from"] == history["valid_to"])
    assert (history.loc[meeting, "rating"] != after.loc[meeting, "rating"]).all()
    assert (history["valid_to"] <= after["valid_from"]).where(after["valid_from"].notna(), True).all()


def test_rerun_and_restated_day_correct_the_history(risk_warehouse, tmp_path):
    """Re-running the last date gives the same rows; restating it (an account of a low-rated person now 95
    days past due) adds the rise as the person's current version and to the review list, once; restating it
    back removes them and re-opens the previous version."""
    path = tmp_path / "warehouse.duckdb"
    copy_warehouse(risk_warehouse.warehouse_path, path)
    last = max(risk_warehouse.business_dates)
    tables = ("dim_person_risk_rating_history", "fct_person_risk_rating_daily", "mart_person_rating_rises",
              "fct_person_risk_conditions")  # fmt: skip

    def snapshot() -> dict[str, pd.DataFrame]:
        frames = {}
        for table in tables:
            frame = _query(path, f"select * from marts.{table}")
            frames[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return frames

    def rerun() -> None:
        with warehouse_env(path):
            run_dbt(["run", "--vars", f'{{business_date: "{last}"}}', "--select", *RATING_MODELS])

    before = snapshot()
    rerun()
    for table, frame in snapshot().items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)

    account, person = _query(path, """
        select account_id, person_id from marts.fct_person_risk_rating_daily
        inner join marts.fct_account_daily using (business_date, person_id)
        where business_date = ? and rating = 'low' and previous_rating = 'low' and account_status = 'OPEN'
        order by account_id limit 1
    """, [last]).iloc[0]  # fmt: skip
    with duckdb.connect(str(path)) as con:
        original = con.execute("select days_past_due from raw.accounts where business_date = ? and account_id = ?",
                               [last, account]).fetchone()[0]  # fmt: skip
        con.execute("update raw.accounts set days_past_due = 95 where business_date = ? and account_id = ?",
                    [last, account])  # fmt: skip
    rerun()
    restated = snapshot()
    history = restated["dim_person_risk_rating_history"]
    mine = history[history["person_id"] == person].sort_values("valid_from")
    assert mine.iloc[-1][["rating", "valid_from", "is_current"]].tolist() == ["high", pd.Timestamp(last), True]
    assert mine.iloc[-2]["valid_to"] == pd.Timestamp(last) and not mine.iloc[-2]["is_current"]
    assert len(history) == len(before["dim_person_risk_rating_history"]) + 1
    rises = restated["mart_person_rating_rises"]
    risen = rises[(rises["person_id"] == person) & (rises["business_date"] == pd.Timestamp(last))]
    assert risen[["previous_rating", "rating", "limit_review_action"]].values.tolist() == [["low", "high", "freeze"]]
    assert account in risen.iloc[0]["trigger_accounts"]

    with duckdb.connect(str(path)) as con:
        con.execute("update raw.accounts set days_past_due = ? where business_date = ? and account_id = ?",
                    [original, last, account])  # fmt: skip
    rerun()
    for table, frame in snapshot().items():
        pd.testing.assert_frame_equal(frame, before[table], obj=table)
