"""Repayment plans and charges (issue #16): charges tie to the balances they move, plans move the book as the
bank's policy says (seed repayment_plan_policy), and plan rates land in the public ranges
creditwh.simulate.plans cites."""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from creditwh.contract import FINAL_PLAN_STATUSES
from creditwh.simulate import SimConfig

from .conftest import START, rows_by_id, run

MONTH = 30.4


@pytest.fixture(scope="module")
def plans_book():
    """3,000 accounts for 120 days with hardship plans and settlements offered far more often than by
    default, so every plan path occurs many times."""
    cfg = SimConfig(n_accounts=3000, start_date=START, seed=11, p_hardship_if_delinquent=0.03,
                    p_settlement=0.02, p_recovery=0.02)  # fmt: skip
    return run(cfg, 120)[1]


def _sums(tbl, column: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in tbl.select(["account_id", column]).to_pylist():
        out[r["account_id"]] += r[column]
    return out


@pytest.fixture(scope="module")
def book_db(plans_book):
    """The book's accounts, payments and charges of every day in DuckDB (set-based checks)."""
    con = duckdb.connect()
    for name in ("accounts", "payments", "charges"):
        con.register(name, pa.concat_tables([getattr(s, name) for s in plans_book]))
    yield con
    con.close()


def test_charges_tie_to_the_statement_and_the_written_off_balance(book_db):
    """Cut today: statement_balance = yesterday's current_balance + today's charges. Charged on another day:
    only a settlement's write-off, which with the day's recovery takes a charged-off balance to zero."""
    cuts, broken_cuts, write_offs, broken_write_offs = book_db.execute("""
        with charged as (select business_date, account_id, sum(charge_amount) as amount from charges group by all),
        paid as (select business_date, account_id, sum(payment_amount) as amount from payments group by all),
        days as (
            select a.business_date, a.last_statement_date, a.statement_balance, a.account_status,
                   a.status_reason, a.current_balance, y.current_balance as yesterday_balance, coalesce(c.amount, 0) as charged,
                   coalesce(p.amount, 0) as paid, c.account_id is not null as has_charges
            from accounts a
            join accounts y on y.account_id = a.account_id and y.business_date = a.business_date - 1
            left join charged c on c.business_date = a.business_date and c.account_id = a.account_id
            left join paid p on p.business_date = a.business_date and p.account_id = a.account_id
        )
        select count(*) filter (last_statement_date = business_date),
               count(*) filter (last_statement_date = business_date
                                and statement_balance <> yesterday_balance + charged),
               count(*) filter (last_statement_date is distinct from business_date and has_charges),
               count(*) filter (last_statement_date is distinct from business_date and has_charges
                                and not (account_status = 'CLOSED' and status_reason = 'PAID_OFF'
                                         and current_balance = 0 and yesterday_balance - paid + charged = 0))
        from days
    """).fetchone()
    assert (broken_cuts, broken_write_offs) == (0, 0)
    assert cuts > 10_000 and write_offs > 10


def _latest_plans(book):
    """Per day: the latest version of every plan delivered so far (plan_id -> row)."""
    latest: dict[str, dict] = {}
    for snap in book:
        for r in snap.repayment_plans.to_pylist():
            assert latest.get(r["plan_id"], {}).get("plan_status") not in FINAL_PLAN_STATUSES, (
                r
            )  # final is final
            latest[r["plan_id"]] = r
        yield snap, latest


def test_plans_move_the_book_as_the_policy_says(plans_book):
    assert SimConfig().hardship_reage == "RESET" and SimConfig().broken_after_missed_instalments == 1
    seen, awaiting_first_payment = defaultdict(int), {}
    first = plans_book[0].business_date
    for snap, latest in _latest_plans(plans_book):
        columns = ["account_id", "hardship_flag", "days_past_due", "cycles_past_due", "account_status",
                   "current_balance"]  # fmt: skip
        day, accounts = snap.business_date, rows_by_id(snap.accounts.select(columns))
        waivers = {r["plan_id"]: r["charge_amount"] for r in snap.charges.to_pylist() if r["plan_id"]}
        recoveries = _sums(snap.payments, "payment_amount")  # payments and recoveries posted today
        active = defaultdict(list)
        for plan in latest.values():
            if plan["plan_status"] == "ACTIVE":
                active[plan["account_id"]].append(plan["plan_type"])
        assert all(len(kinds) == 1 for kinds in active.values())  # one active plan per account
        # the hardship flag is exactly "on an active hardship plan"
        assert {a for a, r in accounts.items() if r["hardship_flag"]} == {
            a for a, kinds in active.items() if kinds == ["HARDSHIP"]
        }
        # RESET: the first payment posted under a hardship plan brings the account current that day
        for account_id in set(awaiting_first_payment) & {a for a, amount in recoveries.items() if amount > 0}:
            assert accounts[account_id]["days_past_due"] == 0, account_id
            del awaiting_first_payment[account_id]
            seen["re-aged"] += 1
        for plan in snap.repayment_plans.to_pylist():
            account = accounts[plan["account_id"]]
            assert day == first or day in (plan["start_date"], plan["status_date"])  # created or changed
            if (
                plan["plan_type"] == "HARDSHIP"
                and plan["start_date"] == day
                and plan["plan_status"] == "ACTIVE"
            ):
                awaiting_first_payment[plan["account_id"]] = plan["plan_id"]
            elif plan["plan_status"] != "ACTIVE":
                awaiting_first_payment.pop(plan["account_id"], None)
            if plan["plan_status"] == "BROKEN" and plan["plan_type"] != "SETTLEMENT":
                assert account["cycles_past_due"] >= 1  # an instalment past due: delinquency resumes
                seen["broken"] += 1
            if plan["plan_type"] == "SETTLEMENT" and plan["plan_status"] == "COMPLETED":
                assert (account["account_status"], account["current_balance"]) == ("CLOSED", 0)
                # the rest written off (nothing posts when the recovery paid it all)
                assert waivers.get(plan["plan_id"], Decimal(0)) == -plan["amount_waived"]
                assert recoveries[plan["account_id"]] + plan["amount_waived"] <= plan["principal_amount"]
                seen["settled"] += 1
    assert min(seen.values()) >= 10, seen


def test_hardship_plans_break_at_public_rates(plans_book):
    """A third to a half of hardship plans break within six months: measured as the monthly break hazard of
    the plans started in the run (breaks per plan-month on a plan), 1 - (1 - hazard) ** 6."""
    start, end = {}, {}
    for snap, _ in _latest_plans(plans_book):
        for plan in snap.repayment_plans.to_pylist():
            if plan["plan_type"] == "HARDSHIP" and plan["start_date"] >= plans_book[0].business_date:
                start.setdefault(plan["plan_id"], plan["start_date"])
                if plan["plan_status"] != "ACTIVE":
                    end[plan["plan_id"]] = (plan["status_date"], plan["plan_status"])
    last = plans_book[-1].business_date
    months = sum(((end.get(p, (last,))[0]) - s).days for p, s in start.items()) / MONTH
    broken = sum(status == "BROKEN" for _, status in end.values())
    within_six_months = 1 - (1 - broken / months) ** 6
    assert len(start) > 100 and 1 / 3 <= within_six_months <= 1 / 2, (len(start), broken, months)


def test_a_few_percent_of_delinquent_accounts_go_on_hardship_plans(book_45_days):
    """With the default rates, a few per cent of the accounts delinquent during the 45 days start a hardship
    plan in them (public range: low single digits of delinquent accounts in workout programmes)."""
    delinquent, started = set(), set()
    for snap in book_45_days:
        late = snap.accounts.filter(pc.greater(snap.accounts["days_past_due"], 0))
        delinquent.update(late["account_id"].to_pylist())
        for plan in snap.repayment_plans.to_pylist():
            if plan["plan_type"] == "HARDSHIP" and plan["start_date"] == snap.business_date:
                started.add(plan["account_id"])
    assert 0.01 <= len(started) / len(delinquent) <= 0.10, (len(started), len(delinquent))


def test_instalment_plans_charge_their_monthly_fee(plans_book):
    """Bill and cash instalments: an INSTALMENT_FEE of rate / 12 of the principal at each statement while the
    plan is active, never more than term_months of them."""
    plans, fees = {}, defaultdict(list)
    for snap in plans_book:
        for plan in snap.repayment_plans.to_pylist():
            plans[plan["plan_id"]] = plan
        for c in snap.charges.to_pylist():
            if c["charge_type"] == "INSTALMENT_FEE":
                fees[c["plan_id"]].append(c["charge_amount"])
    instalment = [p for p in plans.values() if p["plan_type"].endswith("_INSTALMENT")]
    assert len(instalment) > 50 and sum(map(len, fees.values())) > 50
    for p in instalment:
        monthly = (p["principal_amount"] * p["rate_percent"] / 1200).quantize(Decimal("0.01"))
        assert all(f == monthly for f in fees[p["plan_id"]]), p
        assert len(fees[p["plan_id"]]) <= p["term_months"]


def test_stop_freezes_dpd_while_the_plan_is_kept_and_a_missed_instalment_breaks_it():
    """Re-age STOP (seed repayment_plan_policy's other rule): while a hardship plan is active and nothing is
    paid, DPD stays at yesterday's value; the instalments that fall due after the start are not frozen, so
    missed ones break plans at a rate near RESET's, and once broken DPD rises a day a day again."""
    cfg = SimConfig(n_accounts=3000, start_date=START, seed=11, p_hardship_if_delinquent=0.03,
                    hardship_reage="STOP")  # fmt: skip
    book = run(cfg, 120)[1]
    frozen = rising_after_break = broken = 0
    for (yesterday, _), (today, latest) in itertools.pairwise(_latest_plans(book)):
        before = rows_by_id(yesterday.accounts.select(["account_id", "days_past_due", "account_status"]))
        paid = {p["account_id"] for p in today.payments.to_pylist()}
        active = {p["account_id"] for p in latest.values() if p["plan_type"] == "HARDSHIP"
                  and p["plan_status"] == "ACTIVE"}  # fmt: skip
        ended_today = {p["account_id"] for p in latest.values() if p["plan_type"] == "HARDSHIP"
                       and p["status_date"] == today.business_date and p["plan_status"] == "BROKEN"}  # fmt: skip
        broke_earlier = {p["account_id"] for p in latest.values() if p["plan_type"] == "HARDSHIP"
                         and p["plan_status"] == "BROKEN" and p["status_date"] < today.business_date}  # fmt: skip
        broken += len(ended_today)
        for row in today.accounts.select(["account_id", "days_past_due", "account_status"]).to_pylist():
            was = before.get(row["account_id"])
            if not was or row["account_id"] in paid or {row["account_status"], was["account_status"]} != {"OPEN"}:
                continue
            if was["days_past_due"] > 0 and row["account_id"] in active | ended_today:
                assert row["days_past_due"] == was["days_past_due"], (today.business_date, row)
                frozen += 1
            elif was["days_past_due"] > 0 and row["account_id"] in broke_earlier - active:
                assert row["days_past_due"] == was["days_past_due"] + 1, (today.business_date, row)
                rising_after_break += 1
    assert frozen > 500 and broken > 10 and rising_after_break > 50, (frozen, broken, rising_after_break)
