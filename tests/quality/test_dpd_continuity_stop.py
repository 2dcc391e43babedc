"""dpd_continuity under the STOP hardship re-age (seed repayment_plan_policy): a real simulated STOP book,
loaded by the real loader, passes the STOP variant of the rule; the RESET rule rejects its frozen DPD; a
frozen DPD without an active hardship plan still breaks."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from creditwh.config import Settings
from creditwh.load import load_drop
from creditwh.quality.suites_raw import dpd_jump_query
from quality_helpers import execute

START = dt.date(2026, 1, 1)
DAYS = 60  # hardship plans start, hold their DPD for weeks, and some break on a missed instalment

# (day, account) pairs whose DPD held at yesterday's positive value on an account on hardship today or
# yesterday (its plan started, kept, or ended today) with no payment (a reversal is none): the flag is the platform's own "on an
# active hardship plan", independent of the plans.
FROZEN_ON_HARDSHIP = """
select a.business_date, a.account_id from raw.accounts a
join raw.accounts y on y.account_id = a.account_id and y.business_date = a.business_date - 1
where a.account_status = 'OPEN' and y.account_status = 'OPEN' and (a.hardship_flag or y.hardship_flag)
  and y.days_past_due > 0 and a.days_past_due = y.days_past_due
  and coalesce(a.last_payment_date, date '1900-01-01') <= y.business_date
  and not exists (select 1 from raw.payments p where p.account_id = a.account_id
                  and p.business_date = a.business_date and p.payment_amount > 0)
"""


@pytest.fixture(scope="module")
def stop_warehouse(tmp_path_factory) -> tuple[Settings, list[dt.date]]:
    """A small book simulated under STOP (hardship plans offered more often than by default), every day
    loaded by the real loader (read-only: tests that plant rows copy it)."""
    from creditwh.simulate import SimConfig, simulate_to_landing

    settings = Settings(data_dir=tmp_path_factory.mktemp("stop-book"))
    cfg = SimConfig(
        n_accounts=600, start_date=START, seed=11, hardship_reage="STOP", p_hardship_if_delinquent=0.05
    )
    simulate_to_landing(cfg, DAYS, settings.landing_dir)
    dates = [START + dt.timedelta(days=k) for k in range(DAYS)]
    for day in dates:
        load_drop(settings.warehouse_path, settings.drop_dir(day), day, accept=True)
    return settings, dates


@pytest.fixture
def stop_copy(tmp_path, stop_warehouse) -> tuple[Settings, list[dt.date]]:
    source, dates = stop_warehouse
    settings = Settings(data_dir=tmp_path)
    shutil.copy(source.warehouse_path, settings.warehouse_path)
    return settings, dates


def _breaks(settings: Settings, day: dt.date, reage: str) -> set[str]:
    """Accounts the rule's query (as GX runs it on the day's partition of raw.accounts) returns."""
    query = dpd_jump_query(reage).replace(
        "{batch}", f"(select * from raw.accounts where business_date = date '{day}')"
    )
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return {row[0] for row in con.execute(query).fetchall()}
    finally:
        con.close()


def test_a_stop_book_passes_the_stop_rule_and_fails_the_reset_rule_on_its_frozen_accounts(stop_warehouse):
    settings, dates = stop_warehouse
    frozen = {(day, key) for day, key in execute(settings, FROZEN_ON_HARDSHIP)}
    assert len({key for _, key in frozen}) >= 3, frozen  # the case is exercised, on several accounts
    # ... and plans break: the day one breaks DPD is still frozen (the plan was kept until then), then rises
    (broken,) = execute(settings, "select count(distinct plan_id) from raw.repayment_plans "
                        "where plan_type = 'HARDSHIP' and plan_status = 'BROKEN'")[0]  # fmt: skip
    assert broken >= 1
    for day in dates[1:]:
        assert _breaks(settings, day, "STOP") == set(), day
        # RESET rejects exactly the frozen accounts: nothing else in the book needs the plan
        assert _breaks(settings, day, "RESET") == {key for d, key in frozen if d == day}, day


def test_a_frozen_dpd_without_a_hardship_plan_breaks_under_stop(stop_copy):
    settings, dates = stop_copy
    day = dates[-1]
    # delinquent yesterday, unpaid today, and never on a hardship plan
    ((key, dpd_yesterday),) = execute(settings, """
        select a.account_id, y.days_past_due from raw.accounts a
        join raw.accounts y on y.account_id = a.account_id and y.business_date = a.business_date - 1
        where a.business_date = ? and a.account_status = 'OPEN' and y.account_status = 'OPEN'
          and y.days_past_due > 0 and a.days_past_due = y.days_past_due + 1
          and coalesce(a.last_payment_date, date '1900-01-01') < a.business_date
          and not exists (select 1 from raw.payments p where p.account_id = a.account_id and p.business_date = ?)
          and not exists (select 1 from raw.repayment_plans r where r.account_id = a.account_id
                          and r.plan_type = 'HARDSHIP')
        order by 1 limit 1""", [day, day])  # fmt: skip
    assert key not in _breaks(settings, day, "STOP")
    execute(settings, "update raw.accounts set days_past_due = ? where business_date = ? and account_id = ?",
            [dpd_yesterday, day, key])  # fmt: skip
    assert key in _breaks(settings, day, "STOP")
    # an active plan of another kind does not freeze DPD
    assert execute(settings, """
        insert into raw.repayment_plans
        select * replace (?::date as business_date, ? as account_id, 'ACTIVE' as plan_status)
        from raw.repayment_plans where plan_type in ('BILL_INSTALMENT', 'CASH_INSTALMENT')
        order by plan_id limit 1""", [day, key]) == [(1,)]  # fmt: skip
    assert key in _breaks(settings, day, "STOP")


def test_a_frozen_dpd_after_the_plan_broke_breaks_under_stop(stop_copy):
    settings, dates = stop_copy
    day = dates[-1]
    frozen_today = {key for d, key in execute(settings, FROZEN_ON_HARDSHIP) if d == day}
    # a frozen account's hardship plan, started before yesterday (so yesterday has no version of it yet)
    ((key, plan_id),) = execute(settings, """
        select account_id, plan_id from raw.repayment_plans
        where plan_type = 'HARDSHIP' and start_date < ? - 1 and list_contains(?, account_id)
        qualify row_number() over (partition by plan_id order by business_date desc) = 1
            and plan_status = 'ACTIVE'
        order by 1 limit 1""", [day, sorted(frozen_today)])  # fmt: skip
    assert key not in _breaks(settings, day, "STOP")

    def version(on: dt.date) -> None:
        """The plan BROKEN on `on`: a new version of its latest row, as the platform delivers a change."""
        execute(settings, """
            insert into raw.repayment_plans
            select * replace (?::date as business_date, 'BROKEN' as plan_status, ?::date as status_date)
            from raw.repayment_plans where plan_id = ?
            qualify row_number() over (order by business_date desc) = 1""", [on, on, plan_id])  # fmt: skip

    version(day + dt.timedelta(days=1))  # a change delivered after today does not count today
    assert key not in _breaks(settings, day, "STOP")
    version(day - dt.timedelta(days=1))  # broken yesterday: today's frozen DPD has no plan behind it
    assert key in _breaks(settings, day, "STOP")
    assert key in _breaks(settings, day, "RESET")
