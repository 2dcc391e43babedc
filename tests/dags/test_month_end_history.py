"""A history that survives only as month-end snapshots (issue #18 item 4), loaded as a new user would: six
month-end drops of a small book through the real daily DAG (dag.test, and the bureau DAG after each month
end, as `creditwh run` does), oldest first. Every cadence-dependent rule must know the dates are a month
apart (docs/domain.md §2 "Drop cadence")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from creditwh import airflow_env
from creditwh.config import settings

pytestmark = pytest.mark.slow

N_ACCOUNTS = 1000
START = dt.date(2026, 1, 1)
MONTH_ENDS = [dt.date(2026, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 8)]  # 31 Jan .. 31 Jul
LOADED = MONTH_ENDS[:6]  # six months load; the seventh carries the impossible jump


def _latest(rows: pa.Table, key: str, order: str, business_date: dt.date) -> pa.Table:
    """The latest row per key, re-dated to the month end (schema kept)."""
    picked = duckdb.sql(
        f"select * replace (?::date as business_date) from rows "
        f"qualify row_number() over (partition by {key} order by {order} desc) = 1 order by {key}",
        params=[business_date],
    ).to_arrow_table()
    return picked.select(rows.schema.names).cast(rows.schema)


def write_month_end_history(n_accounts: int, month_ends: list[dt.date], landing: Path, seed: int = 7) -> None:
    """Simulate the book day by day and keep only the month-end drops, as a bank's month-end archive holds
    them: the month-end account snapshot plus the final row of every account that left during the month
    (closed, transferred, or charged off and paid down: the row a daily feed delivered once), the latest
    version of every customer record, collections placement and repayment plan changed during the month, and
    the month-end day's own payments, charges and collection actions (the postings of the days in between are
    not in the archive)."""
    from creditwh.simulate import CardPlatform, SimConfig, write_drop

    cfg = SimConfig(n_accounts=n_accounts, start_date=START, seed=seed)
    platform = CardPlatform(cfg)
    month_ends = list(month_ends)
    customers, placements, plans, leavers, yesterday = [], [], [], [], None
    while month_ends:
        snap = platform.step()
        customers.append(snap.customers)
        placements.append(snap.collection_assignments)
        plans.append(snap.repayment_plans)
        if yesterday is not None:
            leavers.append(yesterday.filter(pc.invert(pc.is_in(yesterday["account_id"], snap.accounts["account_id"]))))
        yesterday = snap.accounts
        if snap.business_date == month_ends[0]:
            day = snap.business_date
            month_end = dataclasses.replace(
                snap,
                accounts=_latest(pa.concat_tables([snap.accounts, *leavers]), "account_id", "business_date", day),
                customers=_latest(pa.concat_tables(customers), "customer_id", "updated_at", day),
                collection_assignments=_latest(pa.concat_tables(placements), "assignment_id", "business_date", day),
                repayment_plans=_latest(pa.concat_tables(plans), "plan_id", "business_date", day),
            )
            write_drop(month_end, landing, cfg.source_system)
            # an account that leaves the day after was delivered with its last row in this month end
            customers, placements, plans, leavers, yesterday, month_ends = [], [], [], [], None, month_ends[1:]


@pytest.fixture(scope="module")
def history(tmp_path_factory, airflow_db):
    """Seven month-end drops; the first six run through the daily DAG (and the bureau DAG after each)."""
    data_dir = tmp_path_factory.mktemp("month-end-history")
    write_month_end_history(N_ACCOUNTS, MONTH_ENDS, data_dir / "landing")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(data_dir))
        states = airflow_env.run_dates("credit_daily", LOADED, progress=lambda _: None)
        yield settings(), states


def _query(s, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_every_month_end_loads_and_builds(history):
    s, states = history
    assert states == ["success"] * len(LOADED)  # a failed bureau run would have raised
    for relation, column in (
        ("marts.mart_aging_month_end", "business_date"),
        ("restricted.rpt_bureau_accounts", "period_end"),
        ("restricted.rpt_pboc_card_accounts", "period_end"),
    ):
        found = [d for (d,) in _query(s, f"select distinct {column} from {relation} order by 1")]
        assert found == LOADED, relation
    # day-over-day models compare month with month: the previous loaded date is the previous month end
    pairs = _query(s, "select distinct business_date, previous_business_date "
                      "from marts.mart_bucket_transitions_daily order by 1")  # fmt: skip
    assert pairs == list(zip(LOADED[1:], LOADED[:-1], strict=True))


def test_early_warning_horizons_are_the_next_month_ends(history):
    """30/60/90 days from a month end = the next 1/2/3 month ends; the bad counts recomputed from raw."""
    import pandas as pd

    s, _ = history
    performance = (
        "select as_of_date, horizon_days, evaluated_on, accounts, bad_accounts "
        "from marts.mart_early_warning_performance where tier = 'all'"
    )
    mart = pd.DataFrame(
        _query(s, performance),
        columns=["as_of_date", "horizon_days", "evaluated_on", "accounts", "bad_accounts"],
    ).sort_values(["as_of_date", "horizon_days"], ignore_index=True)
    expected = [(LOADED[i], 30 * k, LOADED[i + k]) for i in range(len(LOADED)) for k in (1, 2, 3) if i + k < len(LOADED)]
    assert list(mart[["as_of_date", "horizon_days", "evaluated_on"]].itertuples(index=False, name=None)) == expected

    raw = pd.DataFrame(
        _query(s, "select business_date, account_id, account_status, days_past_due from raw.accounts"),
        columns=["business_date", "account_id", "account_status", "days_past_due"],
    )
    raw["bad"] = (raw.days_past_due >= 30) | (raw.account_status == "CHARGED_OFF")
    for as_of, horizon, evaluated_on in expected:
        scored = raw[(raw.business_date == as_of) & (raw.account_status == "OPEN") & (raw.days_past_due < 30)]
        later = raw[(raw.business_date > as_of) & (raw.business_date <= evaluated_on) & raw.bad]
        row = mart[(mart.as_of_date == as_of) & (mart.horizon_days == horizon)].iloc[0]
        assert row.accounts == len(scored), (as_of, horizon)
        assert row.bad_accounts == scored.account_id.isin(later.account_id).sum(), (as_of, horizon)
    assert mart.bad_accounts.sum() > 0


def test_an_impossible_month_over_month_jump_is_still_rejected(history, capfd):
    """The issue's example made truly impossible: 31 July holds the same DPD as 30 June for an account with
    no payment anywhere near the month (its last payment date unchanged, before the back-dating window). The raw gate names the file, the account and the rule; nothing of
    31 July is loaded and June's marts are untouched."""
    from creditwh.contract import PAYMENT_MAX_BACKDATE_DAYS
    from creditwh.landing.manifest import write_manifest
    from creditwh.simulate.drop import SOURCE_SYSTEM

    s, _ = history
    june, july = LOADED[-1], MONTH_ENDS[-1]
    accounts_file = s.drop_dir(july) / f"accounts_{july:%Y%m%d}.parquet"
    delivered = pq.read_table(accounts_file)
    payments_file = s.drop_dir(july) / f"payments_{july:%Y%m%d}.parquet"
    # delinquent on both month ends, no payment within the back-dating window before June's nor in July's file
    (key, dpd_june, paid_june), = _query(s, """
        select account_id, days_past_due, last_payment_date from raw.accounts
        where business_date = ? and account_status = 'OPEN' and days_past_due > 0
          and coalesce(last_payment_date, date '1900-01-01') <= ?
          and account_id in (select account_id from read_parquet(?) where account_status = 'OPEN' and days_past_due > 0)
          and account_id not in (select account_id from read_parquet(?))
        order by account_id limit 1""", [june, june - dt.timedelta(days=PAYMENT_MAX_BACKDATE_DAYS), str(accounts_file), str(payments_file)])  # fmt: skip
    planted = duckdb.sql(
        "select * replace (case when account_id = ? then ? else days_past_due end as days_past_due, "
        "case when account_id = ? then ? else last_payment_date end as last_payment_date) from delivered",
        params=[key, dpd_june, key, paid_june],
    ).to_arrow_table()
    pq.write_table(planted.cast(delivered.schema), accounts_file)
    write_manifest(s.drop_dir(july), july, SOURCE_SYSTEM)
    before = _query(s, "select count(*), sum(account_count) from marts.mart_aging_month_end")

    with pytest.MonkeyPatch.context() as env:
        env.setenv("CREDITWH_DATA_DIR", str(s.data_dir))
        with pytest.raises(airflow_env.RunFailed, match="validate_raw failed") as failed:
            airflow_env.run_dates("credit_daily", [july], progress=lambda _: None)
    assert "raw_gate failed for 2026-07-31" in str(failed.value)
    task_log = "".join(capfd.readouterr())  # the gate's error in the task log: rule, account, file
    findings = [line for line in task_log.splitlines() if "suite raw_accounts, expectation dpd_continuity" in line]
    assert findings and all(f"account_id={key}, file={accounts_file.name}" in line for line in findings)
    assert all("elapsed_days=31" in line for line in findings)
    assert _query(s, "select count(*) from raw.accounts where business_date = ?", [july]) == [(0,)]
    assert _query(s, "select count(*), sum(account_count) from marts.mart_aging_month_end") == before
