"""Collections on a simulated book: rates within the public industry ranges the module docstring cites, the
contact rules kept on clean data, and outcomes that change what customers pay (causal, not decoration)."""

from __future__ import annotations

import dataclasses

import duckdb
import pyarrow as pa
import pytest
from creditwh.collection_contact_rules import contact_rules
from creditwh.contract import (
    AUTOMATED_CHANNELS,
    COLLECTION_CHANNELS,
    COLLECTION_OUTCOMES,
    ONE_WAY_CHANNELS,
    RIGHT_PARTY_OUTCOMES,
    VOICE_CHANNELS,
)
from creditwh.simulate import SimConfig
from creditwh.simulate.collections import GRACE_DAYS, Holders

from .conftest import START, run

DAYS = 75


def _book(cfg: SimConfig, days: int = DAYS) -> duckdb.DuckDBPyConnection:
    """The run's accounts, payments, actions and assignments as tables of an in-memory database."""
    _, snaps = run(cfg, days)
    con = duckdb.connect()
    for name in ("accounts", "payments", "collection_actions", "collection_assignments"):
        con.register(f"{name}_arrow", pa.concat_tables([getattr(s, name) for s in snaps]))
        con.execute(f"create table {name} as select * from {name}_arrow")
    return con


@pytest.fixture(scope="module")
def book() -> duckdb.DuckDBPyConnection:
    return _book(SimConfig(n_accounts=3000, start_date=START, seed=5))


def _in(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


RIGHT_PARTY = _in(RIGHT_PARTY_OUTCOMES)


def test_contact_and_promise_rates_within_industry_ranges(book):
    attempts, right_party, promises = book.execute(
        f"select count(*), count(*) filter (where outcome in {RIGHT_PARTY}), count(*) filter (where outcome = 'PTP') "
        "from collection_actions where channel = 'CALL'"
    ).fetchone()
    assert attempts > 2000
    assert 0.10 <= right_party / attempts <= 0.25  # right-party contacts per call attempt
    assert 0.30 <= promises / right_party <= 0.50  # promises per right-party contact


def test_promise_kept_rate_within_industry_range(book):
    """Kept = the account paid at least the promised amount from the promise's day to the promised date plus
    GRACE_DAYS (payments by their effective date, reversals netted); promises whose window ends after the
    run are left out."""
    promises, kept = book.execute(f"""
        with promise as (
            select action_id, account_id, business_date, promised_amount, promised_date
            from collection_actions
            where outcome = 'PTP' and promised_date + {GRACE_DAYS} <= (select max(business_date) from accounts)
        ),
        paid as (
            select pr.action_id, pr.promised_amount, coalesce(sum(p.payment_amount), 0) as paid
            from promise pr
            left join payments p on p.account_id = pr.account_id
             and p.effective_date between pr.business_date and pr.promised_date + {GRACE_DAYS}
            group by all
        )
        select count(*), count(*) filter (where paid >= promised_amount) from paid
    """).fetchone()  # fmt: skip
    assert promises > 150
    print(f"promises {promises}, kept {kept / promises:.1%}")
    assert 0.50 <= kept / promises <= 0.70


def test_contact_rules_kept_on_a_clean_book(book):
    """What the later compliance mart checks: local hours, call attempts per account per day and in any 7
    days (the book's first 6 days count the attempts the run made)."""
    rules = contact_rules()
    caps = {cap.window_days: cap.max_attempts for cap in rules.caps}
    calls = _in(rules.call_channels)
    outside_hours = book.execute(
        f"select count(*) from collection_actions where action_ts::time < '{rules.allowed_from}' "
        f"or action_ts::time >= '{rules.allowed_to}' or action_ts::date <> business_date"
    ).fetchone()[0]
    most_a_day, most_a_week = book.execute(f"""
        with daily as (
            select account_id, business_date, count(*) as calls
            from collection_actions where channel in {calls} group by all
        ),
        weekly as (
            select sum(calls) over (partition by account_id order by business_date
                                    range between interval 6 days preceding and current row) as calls
            from daily
        )
        select (select max(calls) from daily), (select max(calls) from weekly)
    """).fetchone()  # fmt: skip
    assert outside_hours == 0
    assert 2 <= most_a_day <= caps[1]
    assert most_a_week == caps[7]  # the cap is reached, never passed


def test_actions_and_assignments_follow_the_contract(book):
    holders = Holders.from_seeds()
    violations = book.execute(f"""
        select
            count(*) filter (where channel not in {_in(COLLECTION_CHANNELS)}),
            count(*) filter (where coalesce(outcome, 'X') not in {_in(COLLECTION_OUTCOMES)}
                             and channel not in {_in(ONE_WAY_CHANNELS)}),
            count(*) filter (where (outcome is null) <> (channel in {_in(ONE_WAY_CHANNELS)})),
            count(*) filter (where (collector_id is null) <> (channel in {_in(AUTOMATED_CHANNELS)})),
            count(*) filter (where (talk_seconds is null) = (channel in {_in(VOICE_CHANNELS)}) or talk_seconds < 0),
            count(*) filter (where (outcome = 'PTP') <> (promised_amount is not null)
                             or (outcome = 'PTP') <> (promised_date is not null)
                             or promised_amount <= 0 or promised_date <= business_date),
            count(*) filter (where holder_id not in {_in(holders.ids)}
                             or collector_id not in {_in(holders.collector_ids)}),
            count(*) filter (where not exists (select 1 from accounts a where a.account_id = collection_actions.account_id
                                                and a.business_date = collection_actions.business_date))
        from collection_actions
    """).fetchone()  # fmt: skip
    assert violations == (0,) * 8
    overlaps, orphans, unknown = book.execute(f"""
        with latest as (
            select * from collection_assignments
            qualify row_number() over (partition by assignment_id order by business_date desc) = 1
        )
        select
            (select count(*) from latest x join latest y on x.account_id = y.account_id
              and x.assignment_id < y.assignment_id
              and x.valid_from < coalesce(y.valid_to, date '9999-12-31')
              and y.valid_from < coalesce(x.valid_to, date '9999-12-31')),
            (select count(*) from collection_assignments s where not exists (
                select 1 from accounts a where a.account_id = s.account_id and a.business_date = s.business_date)),
            (select count(*) from collection_assignments where holder_id not in {_in(holders.ids)})
    """).fetchone()  # fmt: skip
    assert (overlaps, orphans, unknown) == (0, 0, 0)
    reasons = dict(book.execute(
        "select close_reason, count(*) from collection_assignments where valid_to is not null group by 1"
    ).fetchall())  # fmt: skip
    assert {"CURED", "ESCALATED"} <= set(reasons)
    outcomes = dict(book.execute("select outcome, count(*) from collection_actions group by 1").fetchall())
    assert set(outcomes) <= {*COLLECTION_OUTCOMES, None}
    assert {None, "NO_ANSWER", "BUSY", "WRONG_PARTY", "RPC", "PTP", "REFUSED"} <= set(outcomes)
    # a few complaints and disputes (about 1.5% of right-party contacts together): rare, but they occur
    right_party = sum(outcomes.get(o, 0) for o in RIGHT_PARTY_OUTCOMES)
    assert 0 < outcomes.get("COMPLAINT", 0) + outcomes.get("DISPUTE", 0) < 0.05 * right_party


def test_fraud_charge_offs_are_never_collected_placed_or_sold(book):
    """A fraud charge-off is the fraud team's loss, not a debt: no agency or legal placement, no agency or
    legal action, no recovery payment, no debt sale (TRANSFERRED) for any account ever flagged for fraud."""
    holders = Holders.from_seeds()
    outside = _in([h for h, s in zip(holders.ids, holders.stage, strict=True) if s >= 2])  # LATE, CHARGED_OFF, LEGAL
    fraud, placed, worked, recovered, sold = book.execute(f"""
        with fraud as (select distinct account_id from accounts where fraud_flag)
        select
            (select count(*) from fraud f where exists (select 1 from accounts a where a.account_id = f.account_id
                                                        and a.account_status = 'CHARGED_OFF')),
            (select count(*) from collection_assignments where holder_id in {outside}
                                                           and account_id in (select * from fraud)),
            (select count(*) from collection_actions where (channel in ('AGENCY', 'LEGAL') or holder_id in {outside})
                                                       and account_id in (select * from fraud)),
            (select count(*) from payments where payment_type = 'RECOVERY' and account_id in (select * from fraud)),
            (select count(*) from accounts where account_status = 'TRANSFERRED' and account_id in (select * from fraud))
    """).fetchone()  # fmt: skip
    assert fraud > 0  # the book has fraud charge-offs (at the start and new ones)
    assert (placed, worked, recovered, sold) == (0, 0, 0, 0)


def test_contacts_and_promises_make_customers_pay(book):
    """Outcomes are drawn independently of the account, so the accounts whose first call of the day ended in
    a promise, a plain right-party contact or no answer are comparable: within 10 days the promisers pay
    far more often, and a right-party contact alone more often than no answer."""
    rates = dict(book.execute("""
        with first_call as (
            select account_id, business_date, outcome
            from collection_actions
            where channel = 'CALL' and business_date + 10 <= (select max(business_date) from accounts)
            qualify row_number() over (partition by account_id, business_date order by action_ts) = 1
        )
        select outcome, avg(exists (
            select 1 from payments p where p.account_id = f.account_id and p.payment_amount > 0
              and p.effective_date > f.business_date and p.effective_date <= f.business_date + 10
        )::int)
        from first_call f where outcome in ('PTP', 'RPC', 'NO_ANSWER') group by 1
    """).fetchall())  # fmt: skip
    assert rates["PTP"] > rates["NO_ANSWER"] + 0.1
    assert rates["RPC"] > rates["NO_ANSWER"]


def _varied(**response) -> duckdb.DuckDBPyConnection:
    """The standard book with more charged-off balances (so agencies take enough promises) and the
    customers' answers to collections changed."""
    cfg = SimConfig(n_accounts=3000, start_date=START, seed=5, initial_charged_off_share=0.06)
    return _book(dataclasses.replace(cfg, behaviour=dataclasses.replace(cfg.behaviour, **response)), 60)


def _effects(con) -> tuple[float, float]:
    """(share of the open accounts that promised in the first 30 days that are 30+ DPD at the end, share of
    promises to agencies and legal followed by a recovery payment by the promised date)."""
    return con.execute("""
        with promiser as (
            select distinct account_id from collection_actions
            where outcome = 'PTP' and business_date <= (select max(business_date) - 30 from accounts)
        ),
        recovery_promise as (
            select c.account_id, c.business_date, c.promised_date
            from collection_actions c join accounts a using (account_id, business_date)
            where c.outcome = 'PTP' and a.account_status = 'CHARGED_OFF'
              and c.promised_date <= (select max(business_date) from accounts)
        )
        select
            (select avg((a.days_past_due >= 30)::int) from accounts a join promiser using (account_id)
             where a.account_status = 'OPEN' and a.business_date = (select max(business_date) from accounts)),
            (select avg(exists (select 1 from payments p where p.account_id = r.account_id
                                and p.payment_type = 'RECOVERY'
                                and p.effective_date between r.business_date and r.promised_date)::int)
             from recovery_promise r)
    """).fetchone()  # fmt: skip


def test_broken_promises_roll_forward_and_kept_ones_recover():
    """The same book with customers who never keep a promise: more of the promisers are 30+ DPD at the end
    when a broken promise cancels their next payment; with the default customers, promises to agencies and
    legal are followed by recovery payments far more often."""
    never_kept = {"p_keep_promise": (0.0,) * 4, "p_pay_after_contact": 0.0}
    rolled, recovered_never_kept = _effects(_varied(**never_kept, p_roll_after_broken_promise=1.0))
    stayed, _ = _effects(_varied(**never_kept, p_roll_after_broken_promise=0.0))
    _, recovered_default = _effects(_varied())
    print(f"30+ after broken promises: rolled {rolled:.1%}, stayed {stayed:.1%}; recovery after a promise: "
          f"default {recovered_default:.1%}, never kept {recovered_never_kept:.1%}")  # fmt: skip
    assert rolled > stayed + 0.03
    assert recovered_default > recovered_never_kept + 0.2
