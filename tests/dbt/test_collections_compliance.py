"""The compliance mart on a small simulated book: empty on clean data, then exactly the planted breaches.

The book is simulated and loaded like the DAG does, the first days built in one backfill `dbt build` of the
mart and what it reads, the last day as a daily run (`--vars {business_date}`, reading the caps' window of
earlier actions only). Breaches are then planted into raw.collection_actions and the last day is rebuilt.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from creditwh.collection_contact_rules import contact_rules
from warehouse_build import run_dbt, warehouse_env

START = dt.date(2026, 1, 1)
DAYS = 30
ACCOUNTS = 1000
SELECT = ("--select", "+mart_collections_compliance", "--indirect-selection", "cautious")


def _build_day(day: dt.date) -> None:
    run_dbt(["build", "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}', *SELECT])


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from creditwh.load import load_drop
    from creditwh.simulate import SimConfig, simulate_to_landing

    data_dir = tmp_path_factory.mktemp("collections_compliance")
    drops = simulate_to_landing(
        SimConfig(n_accounts=ACCOUNTS, start_date=START, seed=11), DAYS, data_dir / "landing"
    )
    warehouse = data_dir / "warehouse.duckdb"
    days = [START + dt.timedelta(days=i) for i in range(DAYS)]
    with warehouse_env(warehouse):
        for day, drop in zip(days[:-1], drops[:-1], strict=True):
            load_drop(warehouse, drop, day, accept=True)
        run_dbt(["build", *SELECT])
        load_drop(warehouse, drops[-1], days[-1], accept=True)
        _build_day(days[-1])
        yield warehouse, days


def _violations(warehouse) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(
            "select business_date, action_id, rule_id, account_id, channel, attempts_in_window, max_attempts"
            " from marts.mart_collections_compliance order by all"
        ).fetchall()


def test_empty_on_clean_simulated_data_where_the_daily_cap_is_reached(book):
    warehouse, _ = book
    rules = contact_rules()
    calls = ", ".join(f"'{c}'" for c in rules.call_channels)
    with duckdb.connect(str(warehouse)) as con:
        most_a_day = con.execute(
            f"select max(n) from (select count(*) as n from raw.collection_actions where channel in ({calls})"
            " group by account_id, business_date)"
        ).fetchone()[0]
    assert most_a_day == max(cap.max_attempts for cap in rules.caps if cap.window_days == 1)
    assert _violations(warehouse) == []


def test_planted_breaches_are_listed_each_with_its_rule_and_nothing_else(book):
    warehouse, days = book
    day = days[-1]
    window = [day - dt.timedelta(days=k) for k in range(6, -1, -1)]  # the 7 days up to the run's date
    with duckdb.connect(str(warehouse)) as con:
        quiet = [r[0] for r in con.execute(
            "select account_id from raw.accounts where business_date = ? and account_id not in"
            " (select account_id from raw.collection_actions where business_date >= ?) order by account_id limit 3",
            [day, window[0]],
        ).fetchall()]  # fmt: skip
        late, fourth, eighth = quiet
        planted = [(day, "PL-LATE", late, "SMS", dt.time(22, 30))]
        planted += [(day, f"PL-DAY{i}", fourth, "CALL", dt.time(9 + i)) for i in range(1, 5)]
        # 2 calls on the window's first day, one on each later day: today's is the 8th in 7 days
        eighth_days = [window[0], *window]
        planted += [
            (d, f"PL-WEEK{i}", eighth, "AGENCY", dt.time(10 + i)) for i, d in enumerate(eighth_days, 1)
        ]
        con.executemany(
            "insert into raw.collection_actions by name select ? as business_date, ? as action_id,"
            " ? as account_id, ? as channel, cast(? as date) + cast(? as time) as action_ts,"
            " 'T-EARLY-A' as holder_id, 'NO_ANSWER' as outcome, 0 as talk_seconds,"
            " (select max(_batch_id) from raw.collection_actions) as _batch_id, now() as _loaded_at",
            [(d, action_id, account, channel, d, at) for d, action_id, account, channel, at in planted],
        )
    with warehouse_env(warehouse):
        _build_day(day)
    assert _violations(warehouse) == [
        (day, "PL-DAY4", "CALLS_PER_DAY", fourth, "CALL", 4, 3),
        (day, "PL-LATE", "OUTSIDE_HOURS", late, "SMS", None, None),
        (day, "PL-WEEK8", "CALLS_PER_7_DAYS", eighth, "AGENCY", 8, 7),
    ]
