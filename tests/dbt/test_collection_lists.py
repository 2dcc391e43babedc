"""The daily collections lists on a small simulated book (issue #15 item 3): the bank's strategy seed tiles
its space, the treatment and reminder lists are published every day after the marts gate and equal an
independent pandas selection from the raw accounts, actions, assignments and the seeds (bucket -> channel with
cadence and call caps, pre-due reminders, rows held_by the current holder's type winning), charged-off accounts
held by Legal stay with Legal, a re-run publishes the same bytes, a failed gate publishes nothing, and no
contact detail reaches a mart.

The book is simulated and loaded like the DAG does; the first days are built in one backfill `dbt build`,
the last day as a daily run (`--vars {business_date}`, reading the actions of the longest cadence or cap
window only). The early-warning tier is the one input taken from the warehouse (mart_early_warning_daily,
tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest
from warehouse_build import DBT_PROJECT_DIR, run_dbt, warehouse_env

pytestmark = pytest.mark.slow

START = dt.date(2026, 1, 1)
DAYS = 30
ACCOUNTS = 1000
MODELS = ("+rpt_collections_treatment_list", "+rpt_collections_reminder_list", "+mart_collections_queue")
OWN = ("mart_collections_next_actions", "mart_collections_queue", "rpt_collections_treatment_list",
       "rpt_collections_reminder_list", "collection_treatment_strategy",
       "assert_collection_treatment_strategy_tiles")  # fmt: skip
SEEDS = DBT_PROJECT_DIR / "seeds"


def _build(*args: str) -> None:
    run_dbt(["build", "--select", *MODELS, "--resource-type", "model", "--resource-type", "seed",
             "--exclude-resource-type", "unit_test", *args])  # fmt: skip


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """(settings, business dates, publish summaries): every date built and published."""
    from creditwh.config import Settings
    from creditwh.load import load_drop
    from creditwh.load.acceptance import record_marts_verdict
    from creditwh.pipeline.extracts import publish_collection_lists
    from creditwh.quality.gate import GateResult
    from creditwh.simulate import SimConfig, simulate_to_landing

    data_dir = tmp_path_factory.mktemp("collection_lists")
    settings = Settings(data_dir=data_dir)
    drops = simulate_to_landing(SimConfig(n_accounts=ACCOUNTS, start_date=START, seed=11), DAYS, data_dir / "landing")
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    with warehouse_env(settings.warehouse_path):
        for day, drop in zip(days[:-1], drops[:-1], strict=True):
            load_drop(settings.warehouse_path, drop, day, accept=True)
        _build()
        load_drop(settings.warehouse_path, drops[-1], days[-1], accept=True)
        _build("--vars", f'{{business_date: "{days[-1]:%Y-%m-%d}"}}')
        run_dbt(["test", "--select", *OWN])  # contracts' data tests and the strategy tiling
    summaries = []
    for day in days:
        # only the collections branch is built, so the marts gate cannot run: record it as passed
        record_marts_verdict(settings, GateResult("marts_gate", day))
        summaries.append(publish_collection_lists(day, settings))
    return settings, days, summaries


def _published(settings, name: str) -> pd.DataFrame:
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False)
              for path in sorted(settings.outbox_dir.glob(f"collections/*/{name}_*.csv"))]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _current_holder_types(con, dates) -> pd.DataFrame:
    """(business_date, account_id, held): the holder_type of each account's open assignment on each date - the
    latest record of each assignment up to the date, open when it has no valid_to (raw data, holders seed)."""
    records = con.execute("select business_date as record_date, assignment_id, account_id, holder_id, valid_to"
                          " from raw.collection_assignments").df()  # fmt: skip
    holders = pd.read_csv(SEEDS / "collection_holders.csv", dtype=str).set_index("holder_id")["holder_type"]
    on_date = pd.DataFrame({"business_date": sorted(set(dates))}).merge(records, how="cross")
    on_date = on_date[on_date["record_date"] <= on_date["business_date"]].sort_values("record_date")
    latest = on_date.drop_duplicates(["business_date", "assignment_id"], keep="last")
    held = latest[latest["valid_to"].isna()].assign(held=lambda f: f["holder_id"].map(holders))
    assert not held.duplicated(["business_date", "account_id"]).any()  # one open assignment per account
    return held[["business_date", "account_id", "held"]]


def _expected(settings) -> pd.DataFrame:
    """Tomorrow's treatments recomputed from raw data and the seed files (one row per account and date)."""
    with duckdb.connect(str(settings.warehouse_path)) as con:  # as dbt in-process: no read-only one
        accounts = con.execute("""
            select a.business_date, a.account_id, a.account_status, a.days_past_due, a.payment_due_date,
                   a.current_balance, coalesce(a.minimum_payment_due, 0) - coalesce(a.ctd_payment_amount, 0) as due,
                   s.tier
            from raw.accounts a
            left join marts.mart_early_warning_daily s using (business_date, account_id)
            where not coalesce(a.fraud_flag, false)
              and (a.account_status = 'OPEN' or (a.account_status = 'CHARGED_OFF' and a.current_balance > 0))
        """).df()  # fmt: skip
        actions = con.execute("select business_date, account_id, channel from raw.collection_actions").df()
        held = _current_holder_types(con, accounts["business_date"])
    accounts = accounts.merge(held, on=["business_date", "account_id"], how="left")
    accounts["held"] = accounts["held"].fillna("")  # not held: only blank held_by rows apply
    buckets = pd.read_csv(SEEDS / "dpd_buckets.csv", dtype=str, keep_default_na=False)
    tiers = pd.read_csv(SEEDS / "early_warning_tiers.csv").sort_values("tier_order")
    strategy = pd.read_csv(SEEDS / "collection_treatment_strategy.csv", dtype=str, keep_default_na=False)
    rules = pd.read_csv(SEEDS / "collection_contact_rules.csv").query("rule_type == 'FREQUENCY'")
    voice = set(pd.read_csv(SEEDS / "collection_call_attempt_channels.csv")["channel"])

    accounts["bucket"] = "CHARGED_OFF"
    for row in buckets[buckets["account_status"] == ""].itertuples():
        upper = int(row.max_dpd) if row.max_dpd else 10**9
        in_range = (accounts["account_status"] == "OPEN") & accounts["days_past_due"].between(int(row.min_dpd), upper)
        accounts.loc[in_range, "bucket"] = row.bucket_code
    accounts["tier"] = accounts["tier"].fillna(tiers["tier"].iloc[0])
    accounts["list_date"] = pd.to_datetime(accounts["business_date"]) + pd.Timedelta(days=1)
    to_due = (pd.to_datetime(accounts["payment_due_date"]) - accounts["list_date"]).dt.days
    rows = []
    for row in strategy.itertuples():  # NONE rows too: a held_by NONE row would win over a blank one
        # blank bounds are open; no due date falls in the range open at the top
        low = to_due >= int(row.min_days_to_due) if row.min_days_to_due else to_due.notna()
        high = to_due <= int(row.max_days_to_due) if row.max_days_to_due else to_due.notna()
        in_range = (low & high) | (to_due.isna() & (row.max_days_to_due == ""))
        hit = accounts[(accounts["bucket"] == row.bucket_code) & ((accounts["tier"] == row.tier) | (row.tier == ""))
                       & in_range & ((accounts["held"] == row.held_by) | (row.held_by == ""))].copy()  # fmt: skip
        rows.append(hit.assign(planned=row.channel, cadence=int(row.cadence_days or 0), fallback=row.fallback_channel,
                               reason=row.reason_code, is_reminder=row.is_reminder == "true",
                               specific=row.held_by != ""))  # fmt: skip
    plan = pd.concat(rows, ignore_index=True)
    # precedence: a row held_by the account's holder type wins over a row for any holder
    plan = plan[plan["specific"] == plan.groupby(["business_date", "account_id"])["specific"].transform("max")]
    assert not plan.duplicated(["business_date", "account_id"]).any()  # one strategy row per account
    plan = plan[(plan["planned"] != "NONE") & ~(plan["is_reminder"] & (plan["due"] <= 0))]

    acts = actions.assign(action_date=pd.to_datetime(actions["business_date"])).drop(columns="business_date")
    joined = plan.merge(acts, on="account_id")
    joined = joined[joined["action_date"] <= pd.to_datetime(joined["business_date"])]

    def keys(frame) -> set:
        return set(zip(frame["business_date"], frame["account_id"], strict=True))

    recent = joined[(joined["channel"] == joined["planned"])
                    & (joined["action_date"] > joined["list_date"] - pd.to_timedelta(joined["cadence"], "D"))]  # fmt: skip
    plan = plan[[k not in keys(recent) for k in zip(plan["business_date"], plan["account_id"], strict=True)]]
    capped = set()
    for rule in rules.itertuples():
        window = joined[joined["channel"].isin(voice) & joined["planned"].isin(voice)
                        & (joined["action_date"] > joined["list_date"] - pd.Timedelta(days=int(rule.window_days)))]
        counts = window.groupby(["business_date", "account_id"]).size()
        capped |= set(counts[counts >= int(rule.max_attempts)].index)  # fmt: skip
    is_capped = pd.Series([k in capped for k in zip(plan["business_date"], plan["account_id"], strict=True)],
                          index=plan.index)  # fmt: skip
    plan = plan.assign(channel=plan["planned"].where(~is_capped, plan["fallback"]),
                       reason_code=plan["reason"].where(~is_capped, plan["reason"] + "_CAPPED"))  # fmt: skip
    plan = plan[plan["channel"] != ""]
    plan["list_date"] = plan["list_date"].dt.strftime("%Y-%m-%d")
    return plan


@pytest.mark.parametrize("breakage", [
    # a gap: no row left for current high-tier accounts due in 4+ days
    "delete from marts.collection_treatment_strategy where strategy_id = 'CURRENT_HIGH_LATER'",
    # two held_by rows for the same point: both outrank the blank CHARGED_OFF row, two winners
    ("insert into marts.collection_treatment_strategy select * replace ('CHARGED_OFF_LEGAL_2' as strategy_id)"
     " from marts.collection_treatment_strategy where strategy_id = 'CHARGED_OFF_LEGAL'"),
], ids=["gap", "duplicate_held_by"])  # fmt: skip
def test_strategy_seed_tiles_and_the_tiling_test_catches_a_gap(book, breakage):
    """The fixture ran the tiling data test (it passed); with a row removed, or a held_by row doubled, it
    fails and names the point."""
    settings, _, _ = book
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute(breakage)
        assert con.execute("select count(*) from marts.collection_treatment_strategy").fetchone()[0] != len(
            pd.read_csv(SEEDS / "collection_treatment_strategy.csv"))  # the breakage took
    with warehouse_env(settings.warehouse_path):
        try:
            with pytest.raises(RuntimeError, match="assert_collection_treatment_strategy_tiles"):
                run_dbt(["test", "--select", "assert_collection_treatment_strategy_tiles"])
        finally:
            run_dbt(["seed", "--select", "collection_treatment_strategy"])


def test_lists_are_published_every_day_with_their_manifests(book):
    settings, days, summaries = book
    for day, summary in zip(days, summaries, strict=True):
        folder = settings.outbox_dir / "collections" / f"{day:%Y-%m-%d}"
        stamp = f"{day + dt.timedelta(days=1):%Y%m%d}"
        assert summary["status"] == "published"
        for name in ("treatment_list", "reminder_list"):
            path = folder / f"{name}_{stamp}.csv"
            manifest = json.loads((folder / f"{name}_{stamp}.csv.manifest.json").read_text())
            rows = len(pd.read_csv(path))  # an empty list still has its header
            assert manifest["record_count"] == rows == summary[f"{name}_rows"]
            assert manifest["list_date"] == f"{day + dt.timedelta(days=1):%Y-%m-%d}"
    treatments = [s["treatment_list_rows"] for s in summaries]
    assert min(treatments) > 0 and sum(s["reminder_list_rows"] for s in summaries) >= 3


def test_treatment_list_equals_the_strategy_applied_in_pandas(book):
    settings, _, _ = book
    expected = _expected(settings)
    expected = expected[~expected["is_reminder"]]
    published = _published(settings, "treatment_list")
    columns = ["list_date", "account_id", "channel", "reason_code"]
    assert len(published) > 300
    assert set(map(tuple, published[columns].to_numpy())) == set(map(tuple, expected[columns].to_numpy()))
    # every bucket's channel of the seed occurs, and capped calls fell back (said in the reason)
    assert {"CALL", "IVR", "SMS", "AGENCY"} <= set(published["channel"])
    fallback = published[published["reason_code"].str.endswith("_CAPPED")]
    assert len(fallback) > 0 and set(fallback["channel"]) <= {"SMS", "LETTER", "EMAIL"}
    # the dialer gets the phone and a holder for the placed accounts
    assert (published["mobile_phone"] != "").mean() > 0.95
    assert (published["holder_id"] != "").mean() > 0.9


def test_reminder_list_equals_the_reminder_rule_in_pandas(book):
    settings, _, _ = book
    expected = _expected(settings)
    expected = expected[expected["is_reminder"]]
    published = _published(settings, "reminder_list")
    assert len(published) >= 3
    assert set(zip(published["list_date"], published["account_id"], strict=True)) == set(
        zip(expected["list_date"], expected["account_id"], strict=True)
    )
    # due in N days (the seed's reminder rows) from the list date, for the minimum still unpaid
    days_before = {int(n) for n in pd.read_csv(SEEDS / "collection_treatment_strategy.csv").query("is_reminder")["min_days_to_due"]}
    lead = (pd.to_datetime(published["payment_due_date"]) - pd.to_datetime(published["list_date"])).dt.days
    assert set(lead) <= days_before
    amounts = expected.set_index("account_id")["due"].groupby(level=0).first()
    assert (published["amount_due"].astype(float) > 0).all()
    assert set(published["account_id"]) <= set(amounts.index)


def test_rerun_publishes_the_same_bytes_and_a_failed_gate_publishes_nothing(book):
    from creditwh.load.acceptance import MartsNotPassed, record_marts_verdict
    from creditwh.pipeline.extracts import publish_collection_lists
    from creditwh.quality.gate import ExpectationOutcome, GateResult
    from creditwh.quality.severity import CRITICAL

    settings, days, _ = book
    day = days[-1]
    folder = settings.outbox_dir / "collections" / f"{day:%Y-%m-%d}"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with warehouse_env(settings.warehouse_path):
        _build("--vars", f'{{business_date: "{day:%Y-%m-%d}"}}')  # the day rebuilt: same rows
    record_marts_verdict(settings, GateResult("marts_gate", day))
    assert publish_collection_lists(day, settings)["status"] == "unchanged"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before

    failed = GateResult("marts_gate", day, [ExpectationOutcome("marts", "demo", "x", None, CRITICAL, False)])
    record_marts_verdict(settings, failed)
    next_day = settings.outbox_dir / "collections" / f"{day + dt.timedelta(days=1):%Y-%m-%d}"
    with pytest.raises(MartsNotPassed):
        publish_collection_lists(day, settings)
    with pytest.raises(MartsNotPassed):
        publish_collection_lists(day + dt.timedelta(days=1), settings)  # no verdict at all
    assert not next_day.exists() and {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_queue_is_the_delinquent_inventory_without_contact_details(book):
    settings, days, _ = book
    with duckdb.connect(str(settings.warehouse_path)) as con:  # as dbt in-process: no read-only one
        inventory = con.execute("""
            select count(*) from raw.accounts where business_date = ?
              and ((account_status = 'OPEN' and days_past_due >= 1)
                   or (account_status = 'CHARGED_OFF' and current_balance > 0))""", [days[-1]]).fetchone()[0]  # fmt: skip
        queue = con.execute("select * from marts.mart_collections_queue where business_date = ?", [days[-1]]).df()
        contact_columns = con.execute("""
            select table_name, column_name from information_schema.columns
            where table_schema = 'marts'
              and regexp_matches(column_name, '(phone|full_name|local_name|family_name|given_name|address|id_number)')
        """).fetchall()  # fmt: skip
        phones = {r[0] for r in con.execute("select mobile_phone from raw.customers where mobile_phone is not null").fetchall()}
        marts_text = con.execute("""select table_name, column_name from information_schema.columns
                                    where table_schema = 'marts' and data_type = 'VARCHAR'
                                      and table_name like 'mart_collections%'""").fetchall()  # fmt: skip
        leaked = [(t, c) for t, c in marts_text
                  if phones & {v for (v,) in con.execute(f'select distinct "{c}" from marts."{t}"').fetchall()}]
    assert len(queue) == inventory > 20
    assert sorted(queue["queue_position"]) == list(range(1, len(queue) + 1))
    placed = queue[~queue["fraud_flag"]]
    assert placed["holder_id"].notna().mean() > 0.9 and placed["next_action_channel"].notna().all()
    assert set(queue["holder_type"].dropna()) <= {"TEAM", "AGENCY", "LEGAL"}
    assert contact_columns == [] and leaked == []


def test_broken_promise_and_refused_to_pay_signals_match_pandas(book):
    """Item 5: BROKEN_PROMISE fires for a scored account with a promise broken in the signal's window (judged
    at the promised date + the grace of seed collection_kpi_policy: payments after the day of the promise
    through then, net of reversals, below the amount); REFUSED_TO_PAY for a refusal in its window."""
    settings, _, _ = book
    signals = pd.read_csv(SEEDS / "early_warning_signals.csv").set_index("signal_code")
    grace = int(pd.read_csv(SEEDS / "collection_kpi_policy.csv")["promise_grace_days"].iloc[0])
    with duckdb.connect(str(settings.warehouse_path)) as con:  # as dbt in-process: no read-only one
        actions = con.execute("select business_date, action_id, account_id, outcome, promised_amount, promised_date"
                              " from raw.collection_actions").df()  # fmt: skip
        payments = con.execute("select business_date, account_id, payment_amount from raw.payments").df()
        scored = con.execute("select business_date, account_id from marts.mart_early_warning_daily").df()
        fired = con.execute("select business_date, account_id, signal_code from marts.fct_early_warning_signals"
                            " where signal_code in ('BROKEN_PROMISE', 'REFUSED_TO_PAY')").df()  # fmt: skip
    for frame in (actions, payments, scored, fired):
        frame["business_date"] = pd.to_datetime(frame["business_date"])
    promises = actions[actions["outcome"] == "PTP"].assign(
        judged_on=pd.to_datetime(actions["promised_date"]) + pd.Timedelta(days=grace))
    paid = promises.merge(payments, on="account_id", how="left", suffixes=("", "_paid"))
    paid = paid[(paid["business_date_paid"] > paid["business_date"]) & (paid["business_date_paid"] <= paid["judged_on"])]
    paid_sum = paid.groupby("action_id")["payment_amount"].sum()
    promises["paid"] = promises["action_id"].map(paid_sum).fillna(0)
    broken = promises[promises["paid"] < promises["promised_amount"]]
    last_loaded = payments["business_date"].max()
    expected = {}
    for code, events, date_column in (("BROKEN_PROMISE", broken, "judged_on"),
                                      ("REFUSED_TO_PAY", actions[actions["outcome"] == "REFUSED"], "business_date")):
        window = pd.Timedelta(days=int(signals.loc[code, "window_length"]))
        hits = scored.merge(events[["account_id", date_column]].rename(columns={date_column: "event"}), on="account_id")
        hits = hits[(hits["event"] <= hits["business_date"]) & (hits["event"] > hits["business_date"] - window)
                    & (hits["event"] <= last_loaded)]  # fmt: skip
        counts = hits.groupby(["business_date", "account_id"]).size()
        expected[code] = set(counts[counts >= signals.loc[code, "threshold"]].index)
    for code, accounts in expected.items():
        got = fired[fired["signal_code"] == code]
        assert set(zip(got["business_date"], got["account_id"], strict=True)) == accounts, code
    assert len(expected["BROKEN_PROMISE"]) > 0 and len(expected["REFUSED_TO_PAY"]) > 0


def test_charged_off_accounts_held_by_legal_stay_with_legal(book):
    """A charged-off account whose open assignment is with Legal (raw assignments, holders seed) gets the
    strategy's held_by LEGAL row - a legal step, holder LEGAL - and never the recovery agency of the row for any
    holder: an agency must not call an account in legal proceedings. The other charged-off accounts keep it."""
    settings, _, _ = book
    keys = ["business_date", "account_id"]
    with duckdb.connect(str(settings.warehouse_path)) as con:  # as dbt in-process: no read-only one
        charged = con.execute("""select business_date, account_id from raw.accounts
                                 where account_status = 'CHARGED_OFF' and current_balance > 0
                                   and not coalesce(fraud_flag, false)""").df()  # fmt: skip
        held = _current_holder_types(con, charged["business_date"])
        decided = con.execute("""select business_date, account_id, strategy_id, planned_channel, holder_type,
                                        current_holder_type, channel
                                 from marts.mart_collections_next_actions
                                 where bucket_code = 'CHARGED_OFF'""").df()  # fmt: skip
    at_legal = charged.merge(held[held["held"] == "LEGAL"], on=keys)
    assert len(at_legal) > 0  # the book has charged-off accounts in legal proceedings
    got = at_legal.merge(decided, on=keys, how="left")
    assert (got["planned_channel"] == "LEGAL").all() and (got["holder_type"] == "LEGAL").all()
    assert set(got["channel"].dropna()) <= {"LEGAL"}
    others = decided.merge(at_legal, on=keys, how="left", indicator=True).query("_merge == 'left_only'")
    assert len(others) > 0 and (others["planned_channel"] == "AGENCY").all()
    # the dialer's list never gives an agency an account Legal holds on the day
    published = _published(settings, "treatment_list")
    published["business_date"] = pd.to_datetime(published["list_date"]) - pd.Timedelta(days=1)
    at_legal["business_date"] = pd.to_datetime(at_legal["business_date"])
    sent = published.merge(at_legal, on=keys)
    assert len(sent) > 0 and "AGENCY" not in set(sent["channel"]) and (sent["holder_type"] == "LEGAL").all()
