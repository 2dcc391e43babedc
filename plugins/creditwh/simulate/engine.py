"""The card platform: advances the book one calendar day at a time and hands out that day's snapshot.

Order of a day t (all vectorized over accounts):
 1. statement cut for accounts whose cycle day is today: interest and fees post, the statement balance and
    minimum are fixed, a new cycle enters the ring, cycle-to-date counters reset, the payment is scheduled;
 2. purchases and cash advances (declined over the limit or when the card is blocked); fraud bursts;
 3. scheduled payments are received (effective today); those due to post today are allocated oldest-first
    (bank-cleared payments received on a weekend or holiday, and mailed cheques in processing, post on a
    later day with today as their effective date); returned payments reverse;
 4. recoveries on charged-off balances (settlements paid, the rest written off), debt sales, fraud
    resolutions, hardship plans / dispute / limit events;
 5. DPD counters are recomputed; accounts at the charge-off threshold charge off; zero-balance accounts close;
    repayment plans break, complete or are cancelled, settlements are agreed (creditwh.simulate.plans);
 6. new accounts open; the snapshot is taken; accounts that closed or transferred today leave the book.

Statement arithmetic (definition): SB_k = SB_{k-1} + purchases + cash advances - payments (net of reversals)
+ interest + fees, where purchases/cash/payments are the cycle-to-date totals on the day before the cut and
interest/fees post at the cut (stmt_interest / stmt_fees hold the last cut's amounts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditwh.contract import ACCOUNTS, PAYMENTS
from creditwh.simulate import banking, behaviour, ledger
from creditwh.simulate.arrow import (
    NA_DAY,
    bools,
    categories,
    date_of,
    dates,
    day_of,
    int32s,
    money,
    prefixed_ids,
    table,
)
from creditwh.simulate.charges import Charges
from creditwh.simulate.collections import Collections
from creditwh.simulate.config import SimConfig
from creditwh.simulate.customers import CustomerBook
from creditwh.simulate.cycles import anniversary_month, day_of_month, next_cycle, yyyymmdd
from creditwh.simulate.plans import Plans
from creditwh.simulate.pools import PRODUCTS
from creditwh.simulate.population import open_accounts, season_book
from creditwh.simulate.store import ArrayStore

PAYMENT, REVERSAL, RECOVERY = 0, 1, 2
PAYMENT_TYPES = ["PAYMENT", "REVERSAL", "RECOVERY"]
RETURN_REASONS = [None, "NSF", "STOP_PAYMENT", "ACCOUNT_CLOSED"]


@dataclass(frozen=True)
class DaySnapshot:
    business_date: dt.date
    accounts: pa.Table
    payments: pa.Table
    customers: pa.Table
    collection_actions: pa.Table
    collection_assignments: pa.Table
    repayment_plans: pa.Table
    charges: pa.Table


class _IdCache:
    """Formatted ids of rows 0..n-1, extended as the book grows (formatting a million ids daily is wasteful)."""

    def __init__(self, prefix: str, width: int):
        self.prefix, self.width = prefix, width
        self.ids = pa.array([], type=pa.string())

    def take(self, rows: np.ndarray) -> pa.Array:
        rows = np.asarray(rows, dtype=np.int64)
        need = int(rows.max()) + 1 if len(rows) else 0
        if need > len(self.ids):
            more = prefixed_ids(
                self.prefix,
                np.arange(len(self.ids), max(need, len(self.ids) * 11 // 10 + 1024)) + 1,
                self.width,
            )
            self.ids = pa.concat_arrays([self.ids, more])
        return self.ids.take(pa.array(rows))


def payment_ids(days: np.ndarray, seq: np.ndarray) -> pa.Array:
    return prefixed_ids("P", yyyymmdd(days) * 10**7 + seq, 15)


class _Payments:
    """The day's payment rows, collected per kind and numbered at the end in (account, kind) order."""

    def __init__(self):
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(self, rows, amount, kind, channel, effective, reversible=None, of_day=None, of_seq=None,
            reason=None):  # fmt: skip
        k = len(rows)
        self.blocks.append({
            "effective": np.broadcast_to(np.asarray(effective, np.int32), k),
            "rows": np.asarray(rows, dtype=np.int64),
            "amount": np.asarray(amount, dtype=np.int64),
            "kind": np.full(k, kind, np.int8),
            "channel": np.broadcast_to(np.asarray(channel, np.int8), k),
            "reversible": np.zeros(k, bool) if reversible is None else reversible,
            "of_day": np.full(k, NA_DAY, np.int32) if of_day is None else of_day,
            "of_seq": np.zeros(k, np.int32) if of_seq is None else of_seq,
            "reason": np.zeros(k, np.int8) if reason is None else reason,
        })  # fmt: skip

    def collect(self) -> dict[str, np.ndarray]:
        cols = {name: np.concatenate([b[name] for b in self.blocks]) for name in self.blocks[0]}
        order = np.lexsort((cols["kind"], cols["rows"]))
        return {name: values[order] for name, values in cols.items()}


_RECEIVED_FIELDS = {
    "rows": np.int64,
    "amount": np.int64,
    "channel": np.int8,
    "received": np.int32,
    "post": np.int64,
}


class _Received:
    """Payments received but not yet posted (one entry per payment; an account may hold several)."""

    FIELDS = _RECEIVED_FIELDS

    def __init__(self):
        self.entries = {name: np.zeros(0, dtype) for name, dtype in self.FIELDS.items()}

    def add(self, **arrays: np.ndarray) -> None:
        self.entries = {
            name: np.concatenate([self.entries[name], np.asarray(arrays[name], dtype)])
            for name, dtype in self.FIELDS.items()
        }

    def take(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """Remove and return the entries where mask holds."""
        taken = {name: values[mask] for name, values in self.entries.items()}
        self.entries = {name: values[~mask] for name, values in self.entries.items()}
        return taken


class CardPlatform:
    """A seasoned card book that advances one calendar day per step()."""

    def __init__(self, cfg: SimConfig):
        self.cfg = cfg
        self.today = day_of(cfg.start_date) - 1  # the last simulated day; step() advances to the next
        capacity = int(cfg.n_accounts * 1.05) + 64
        self.acc = ArrayStore(ledger.account_fields(cfg.ring_cycles), capacity)
        self.cust = CustomerBook(int(cfg.n_accounts * 1.1) + 64)
        self._account_ids, self._customer_ids = _IdCache("A", 10), _IdCache("C", 9)
        self._received = _Received()
        self.collections = Collections(self.acc, cfg.behaviour, cfg.seed)
        self.plans = Plans(self.acc, cfg)
        season_book(cfg, np.random.default_rng([cfg.seed, 0]), self.acc, self.cust, self.today + 1)
        self.plans.season(self.today + 1)
        self._refresh_counters(self.today + 1)

    # -- the day -------------------------------------------------------------------------------------------
    def step(self) -> DaySnapshot:
        self.today += 1
        t = self.today
        rng = np.random.default_rng([self.cfg.seed, t])
        pays, charges = _Payments(), Charges()
        self.plans.begin(t)
        self._cut_statements(rng, t, charges)
        self._spend(rng, t)
        self._fraud(rng, t)
        self._receive_payments(rng, t)
        self._post_payments(rng, t, pays)
        self._reverse_payments(rng, t, pays)
        self._recoveries(rng, t, pays, charges)
        self._account_events(rng, t)
        self.plans.freeze(t)
        self._refresh_counters(t)
        self._charge_off(t)
        self._close(rng, t)
        self.plans.review(t)
        self.collections.act(t, self._received.entries["rows"])
        new_customers_from = self.cust.n
        open_accounts(
            self.cfg,
            rng,
            self.acc,
            self.cust,
            t,
            rng.poisson(self.cfg.n_accounts * self.cfg.new_account_rate),
        )
        self._change_customers(rng, t, new_customers_from)
        snapshot = DaySnapshot(
            date_of(t), self._accounts_table(t), self._payments_table(t, pays), self._customers_table(t),
            *self.collections.tables(t, self._account_ids),
            self.plans.table(t, self._account_ids), charges.table(t, self.acc, self._account_ids),
        )
        a = self.acc
        a.gone[(a.status == ledger.CLOSED) | (a.status == ledger.TRANSFERRED)] = True
        return snapshot

    @property
    def business_date(self) -> dt.date:
        return date_of(self.today)

    def schedule_payment(
        self, account_id: str, amount_cents: int, on: dt.date, channel: str = "CARD"
    ) -> None:
        """Replace an account's scheduled payment (scenario tests; the next cut reschedules as usual).
        A CARD payment posts the day it is made; a bank-cleared one may post on a later banking day."""
        row = int(account_id[1:]) - 1
        self.acc.pay_day[row] = day_of(on)
        self.acc.pay_amount[row] = amount_cents
        self.acc.pay_channel[row] = ledger.CHANNELS.index(channel)

    # -- steps -----------------------------------------------------------------------------------------------
    def _open_rows(self) -> np.ndarray:
        a = self.acc
        return np.flatnonzero((a.status == ledger.OPEN) & ~a.gone)

    def _cut_statements(self, rng: np.random.Generator, t: int, charges: Charges) -> None:
        cfg, a = self.cfg, self.acc
        rows = np.flatnonzero(
            (a.status == ledger.OPEN) & ~a.gone & (a.cycle_day == day_of_month(t)) & (a.open_day < t)
        )
        if len(rows) == 0:
            return
        _, cycles, past_due, _ = ledger.delinquency(
            a.ring_mp[rows], a.ring_due[rows], a.alloc[rows], t, cfg.dpd_tolerance_cents, cfg.grace_days
        )
        balance = a.balance[rows]
        hardship = a.hardship[rows]
        revolving = (a.stmt_balance[rows] > 0) & (a.ctd_payment[rows] < a.stmt_balance[rows])
        apr = np.where(hardship, cfg.hardship_apr, cfg.apr)
        interest = np.where(revolving, np.rint(np.maximum(balance, 0) * apr / 12), 0).astype(np.int64)
        cash_fee = np.rint(a.ctd_cash[rows] * cfg.cash_advance_fee_pct).astype(np.int64)
        late_fee = np.where(cycles > 0, cfg.late_fee_cents, 0).astype(np.int64)
        # 罚息 on what is past due; a hardship plan's reduced rate replaces it while the plan is kept
        penalty = np.where(hardship, 0, np.rint(past_due * cfg.penalty_apr / 12)).astype(np.int64)
        annual_fee = np.where(anniversary_month(a.open_day[rows], t), cfg.annual_fee_cents, 0).astype(np.int64)
        charges.add(rows, interest, "INTEREST")
        charges.add(rows, cash_fee, "CASH_ADVANCE_FEE")
        charges.add(rows, late_fee, "LATE_FEE")
        charges.add(rows, penalty, "PENALTY_INTEREST")
        charges.add(rows, annual_fee, "ANNUAL_FEE")
        # instalment fees, and the waivers and reversals of fees decided since the last cut
        fees = cash_fee + late_fee + penalty + annual_fee + self.plans.fees_at_cut(t, rows, charges)
        balance = balance + interest + fees
        mp = behaviour.minimum_payment(cfg, balance, hardship)
        a.balance[rows] = balance
        a.stmt_balance[rows] = balance
        a.stmt_interest[rows] = interest
        a.stmt_fees[rows] = fees
        a.min_due[rows] = mp
        a.last_stmt_day[rows] = t
        a.due_day[rows] = t + cfg.due_days
        ledger.push_cycle(a.ring_mp, a.ring_due, a.alloc, a.ring_sum, rows, mp, t + cfg.due_days)
        self.plans.cycle_cut(rows)
        for name in ("ctd_purchase", "ctd_cash", "ctd_payment", "ctd_cash_count"):
            getattr(a, name)[rows] = 0
        next_cut = next_cycle(t, a.cycle_day[rows])
        behaviour.schedule(cfg, rng, a, rows, np.full(len(rows), t), next_cut, cycles)
        self.plans.after_cut(t, rows, cycles, late_fee)

    def _spend(self, rng: np.random.Generator, t: int) -> None:
        cfg, a, b = self.cfg, self.acc, self.cfg.behaviour
        rows = self._open_rows()
        rows = rows[
            ~a.fraud[rows] & ~a.closing[rows] & (a.cycles_past_due[rows] < cfg.block_purchases_cycles)
        ]
        segment = a.segment[rows]
        p_buy = np.where(a.inactive[rows], 0.004, np.asarray(b.p_purchase)[segment])
        buyers = rows[rng.random(len(rows)) < p_buy]
        limit = a.credit_limit[buyers]
        amount = np.maximum(np.rint(limit * b.purchase_share * rng.lognormal(-0.5, 1.0, len(buyers))), 100)
        amount = amount.astype(np.int64)
        ok = a.balance[buyers] + amount <= limit
        buyers, amount = buyers[ok], amount[ok]
        a.balance[buyers] += amount
        a.ctd_purchase[buyers] += amount

        p_cash = np.where(a.inactive[rows], 0.0, np.asarray(b.p_cash_advance)[segment])
        takers = rows[rng.random(len(rows)) < p_cash]
        amount = rng.integers(1, 21, len(takers)).astype(np.int64) * 100_00
        ok = a.balance[takers] + amount <= a.credit_limit[takers]
        takers, amount = takers[ok], amount[ok]
        a.balance[takers] += amount
        a.ctd_cash[takers] += amount
        a.ctd_cash_count[takers] += 1

    def _fraud(self, rng: np.random.Generator, t: int) -> None:
        """Confirmed fraud: a burst of fraudulent spending, the card blocked, resolution a few days later."""
        a = self.acc
        rows = self._open_rows()
        rows = rows[~a.fraud[rows] & (rng.random(len(rows)) < self.cfg.p_fraud) & (a.open_day[rows] < t)]
        room = np.maximum(a.credit_limit[rows] - a.balance[rows], 0)
        burst = (room * rng.uniform(0.3, 0.9, len(rows))).astype(np.int64)
        a.balance[rows] += burst
        a.ctd_purchase[rows] += burst
        a.fraud[rows] = True
        a.fraud_resolve_day[rows] = t + rng.integers(3, 15, len(rows))
        a.fraud_charge_off[rows] = rng.random(len(rows)) < 0.5

    def _receive_payments(self, rng: np.random.Generator, t: int) -> None:
        """Today's scheduled payments are made: each is queued with the day it will post (maybe today)."""
        a = self.acc
        rows = np.flatnonzero((a.pay_day == t) & (a.status == ledger.OPEN) & ~a.gone)
        a.pay_day[rows] = NA_DAY
        channel = a.pay_channel[rows]
        self._received.add(
            rows=rows,
            amount=a.pay_amount[rows],
            channel=channel,
            received=np.full(len(rows), t),
            post=banking.posting_days(rng, np.full(len(rows), t), channel, self.cfg),
        )

    def _post_payments(self, rng: np.random.Generator, t: int, pays: _Payments) -> None:
        """Post the received payments due today, effective the day each was received. Allocation, balance
        and cycle-to-date counters move on the posting day; delinquency follows from the allocation."""
        cfg, a = self.cfg, self.acc
        queue = self._received
        due = queue.entries["post"] <= t
        # One posting per account and day (the ledger updates are per account): a second payment of the
        # same account waits for the next day; the queue is in receipt order, so the oldest posts first.
        first = np.zeros(len(due), bool)
        due_at = np.flatnonzero(due)
        first[due_at[np.unique(queue.entries["rows"][due_at], return_index=True)[1]]] = True
        later = due & ~first
        queue.entries["post"][later] = banking.next_banking_day(
            np.full(later.sum(), t + 1), cfg.bank_holidays
        )
        posting = queue.take(first)
        # A payment for an account that left OPEN in the meantime is returned to the payer, not posted.
        still_open = (a.status[posting["rows"]] == ledger.OPEN) & ~a.gone[posting["rows"]]
        rows, received = posting["rows"][still_open], posting["received"][still_open]
        channel = posting["channel"][still_open]
        amount = np.minimum(posting["amount"][still_open], np.maximum(a.balance[rows], 0))
        # A few people who pay in full overshoot: that is how credit balances arise.
        over = (amount == a.stmt_balance[rows]) & (rng.random(len(rows)) < 0.003)
        amount = np.where(
            over, np.maximum(a.balance[rows], 0) + rng.integers(1, 100, len(rows)) * 100, amount
        )
        paying = amount > 0
        rows, amount, received, channel = rows[paying], amount[paying], received[paying], channel[paying]
        covered = ledger.allocate(a.ring_sum, a.alloc, rows, amount)
        a.balance[rows] -= amount
        a.ctd_payment[rows] += amount
        # The platform's "date of last payment" is when the money was received (Metro 2 field 25).
        newer = received >= a.last_pay_day[rows]
        a.last_pay_day[rows] = np.where(newer, received, a.last_pay_day[rows])
        a.last_pay_amount[rows] = np.where(newer, amount, a.last_pay_amount[rows])
        p_bounce = np.asarray(cfg.behaviour.p_reversal)[a.segment[rows]]
        bounce = (rng.random(len(rows)) < p_bounce) & (a.rev_day[rows] == NA_DAY)
        # The autopay pull and other channels share the bounce risk; the payment row is numbered at the end.
        bouncing = rows[bounce]
        a.rev_day[bouncing] = t + rng.integers(2, 7, len(bouncing))
        a.rev_amount[bouncing] = amount[bounce]
        a.rev_alloc[bouncing] = covered[bounce]
        a.rev_of_day[bouncing] = t
        pays.add(rows, amount, PAYMENT, channel, received, reversible=bounce)
        self.plans.reage(rows)  # a hardship plan's first payment

    def _reverse_payments(self, rng: np.random.Generator, t: int, pays: _Payments) -> None:
        a = self.acc
        due = np.flatnonzero(a.rev_day == t)
        a.rev_day[due] = NA_DAY
        rows = due[(a.status[due] == ledger.OPEN) & ~a.gone[due]]  # a closed or charged-off account keeps it
        amount = a.rev_amount[rows]
        a.balance[rows] += amount
        a.ctd_payment[rows] -= amount
        a.alloc[rows] = np.maximum(a.alloc[rows] - a.rev_alloc[rows], 0)
        reason = rng.choice([1, 2, 3], size=len(rows), p=[0.8, 0.15, 0.05]).astype(np.int8)
        pays.add(
            rows,
            -amount,
            REVERSAL,
            a.pay_channel[rows],
            t,  # a return takes effect the day it is posted
            of_day=a.rev_of_day[rows].copy(),
            of_seq=a.rev_of_seq[rows].copy(),
            reason=reason,
        )

    def _recoveries(self, rng: np.random.Generator, t: int, pays: _Payments, charges: Charges) -> None:
        cfg, a = self.cfg, self.acc
        # a fraud charge-off is the fraud team's loss, not a debt: never collected nor sold
        collectable = (a.status == ledger.CHARGED_OFF) & ~a.gone & ~a.fraud
        rows = np.flatnonzero(collectable & (a.balance > 0))
        rows = rows[rng.random(len(rows)) < cfg.p_recovery]
        balance = a.balance[rows]
        part = np.maximum((balance * rng.uniform(0.03, 0.3, len(rows)) / 100).astype(np.int64) * 100, 100)
        amount = np.where(rng.random(len(rows)) < cfg.p_settle_in_full, balance, np.minimum(part, balance))
        promised, promised_amount = self.collections.recoveries_due(t)  # kept promises to agencies / legal
        settled, settled_amount, settled_plans = self.plans.settlements_due(t)  # settlements paid today
        promised_only = ~np.isin(promised, settled)
        promised, promised_amount = promised[promised_only], promised_amount[promised_only]
        other = ~np.isin(rows, promised) & ~np.isin(rows, settled)
        rows = np.concatenate([rows[other], promised, settled])
        amount = np.concatenate([amount[other], promised_amount, settled_amount])
        a.balance[rows] -= amount
        self.plans.write_off(t, settled, settled_plans, charges)  # the rest of a settled balance
        a.last_pay_day[rows] = t
        a.last_pay_amount[rows] = amount
        pays.add(
            rows, amount, RECOVERY, rng.choice([ledger.ACH, ledger.BRANCH], len(rows)).astype(np.int8), t
        )
        paid_off = rows[a.balance[rows] <= 0]
        a.status[paid_off] = ledger.CLOSED
        a.reason[paid_off] = ledger.PAID_OFF
        a.closed_day[paid_off] = t
        # Debt sales: part of the charged-off book is sold to a collection agency.
        sold = np.flatnonzero(collectable & (a.status == ledger.CHARGED_OFF))
        sold = sold[rng.random(len(sold)) < cfg.p_debt_sale]
        a.status[sold] = ledger.TRANSFERRED
        a.reason[sold] = ledger.SOLD
        a.closed_day[sold] = t

    def _account_events(self, rng: np.random.Generator, t: int) -> None:
        cfg, a = self.cfg, self.acc
        resolved = np.flatnonzero((a.fraud_resolve_day == t) & (a.status == ledger.OPEN) & ~a.gone)
        charge = resolved[a.fraud_charge_off[resolved] & (a.balance[resolved] > 0)]
        close = np.setdiff1d(resolved, charge)
        self._set_charged_off(charge, t, ledger.FRAUD)
        # Closed for fraud: the fraudulent charges are reversed and what the customer owes moves to a
        # replacement card, so the closed account's final balance is zero.
        a.balance[close] = 0
        a.status[close] = ledger.CLOSED
        a.reason[close] = ledger.FRAUD
        a.closed_day[close] = t

        rows = self._open_rows()
        n = len(rows)
        troubled = rows[(a.cycles_past_due[rows] > 0) & ~a.hardship[rows]]
        self.plans.start_hardship(t, troubled[rng.random(len(troubled)) < cfg.p_hardship_if_delinquent])
        u = rng.random(n)
        dispute = a.dispute[rows]
        a.dispute[rows] = np.where(dispute, u >= cfg.p_dispute_resolved, u < cfg.p_dispute)

        change = rows[rng.random(n) < cfg.p_limit_change]
        limit, balance = a.credit_limit[change], a.balance[change]
        good = (a.cycles_past_due[change] == 0) & (a.segment[change] <= 1)
        raised = np.rint(limit * rng.uniform(1.1, 1.5, len(change)) / 100_00) * 100_00
        cut_to = np.maximum(
            np.ceil(np.maximum(balance, 0) / 100_00) * 100_00, np.rint(limit * 0.6 / 100_00) * 100_00
        )
        a.credit_limit[change] = np.where(good, raised, np.minimum(limit, cut_to)).astype(np.int64)

    def _set_charged_off(self, rows: np.ndarray, t: int, reason: int) -> None:
        a = self.acc
        a.status[rows] = ledger.CHARGED_OFF
        a.reason[rows] = reason
        a.charge_off_day[rows] = t
        a.charge_off_amount[rows] = a.balance[rows]
        a.pay_day[rows] = NA_DAY
        a.rev_day[rows] = NA_DAY

    def _refresh_counters(self, t: int) -> None:
        a = self.acc
        # Only accounts owing part of a minimum can be past due; for the rest the counters are zero.
        owing = ~a.gone & (a.ring_sum > a.alloc)
        a.dpd[~owing], a.cycles_past_due[~owing], a.amount_past_due[~owing] = 0, 0, 0
        rows = np.flatnonzero(owing)
        dpd, cycles, past_due, tolerated = ledger.delinquency(
            a.ring_mp[rows], a.ring_due[rows], a.alloc[rows], t, self.cfg.dpd_tolerance_cents, self.cfg.grace_days
        )
        a.alloc[rows] += tolerated  # counts as paid (docs/domain.md §2)
        a.dpd[rows], a.cycles_past_due[rows], a.amount_past_due[rows] = dpd, cycles, past_due

    def _charge_off(self, t: int) -> None:
        a = self.acc
        rows = np.flatnonzero((a.status == ledger.OPEN) & ~a.gone & (a.dpd >= self.cfg.charge_off_dpd))
        self._set_charged_off(rows, t, ledger.DPD_THRESHOLD)

    def _close(self, rng: np.random.Generator, t: int) -> None:
        cfg, a = self.cfg, self.acc
        rows = self._open_rows()
        idle = (a.balance[rows] <= 0) & (a.dpd[rows] == 0) & (a.rev_day[rows] == NA_DAY) & ~a.fraud[rows]
        idle &= (a.open_day[rows] < t) & (a.pay_day[rows] == NA_DAY)
        idle &= ~np.isin(rows, self._received.entries["rows"])  # a payment is on its way
        # A closure request blocks the card; the account closes once nothing is owed (transactors: next
        # payment; revolvers may take long). Idle cards are also closed for inactivity.
        requested = rows[(rng.random(len(rows)) < cfg.p_close_request) & ~a.inactive[rows]]
        a.closing[requested] = True
        rows = rows[idle]
        inactive = a.inactive[rows] & ~a.closing[rows]
        close = a.closing[rows] | (inactive & (rng.random(len(rows)) < cfg.p_close_inactive))
        rows, inactive = rows[close], inactive[close]
        a.balance[rows] = 0  # a credit balance is refunded on closure
        a.status[rows] = ledger.CLOSED
        a.reason[rows] = np.where(inactive, ledger.INACTIVITY, ledger.CUSTOMER_REQUEST)
        a.closed_day[rows] = t

    def _change_customers(self, rng: np.random.Generator, t: int, new_from: int) -> None:
        cust = self.cust
        n = new_from  # records created today are new, not changed
        changed = np.flatnonzero(rng.random(n) < self.cfg.customer_change_rate)
        cust.change(rng, changed, t)

    # -- output ----------------------------------------------------------------------------------------------
    def _accounts_table(self, t: int) -> pa.Table:
        a = self.acc
        rows = np.flatnonzero(~a.gone)
        n = len(rows)
        status = a.status[rows]
        charged = a.charge_off_day[rows] != NA_DAY
        stated = a.last_stmt_day[rows] != NA_DAY
        paid = a.last_pay_day[rows] != NA_DAY
        return table(ACCOUNTS.columns, {
            "business_date": dates(np.full(n, t, np.int32)),
            "account_id": self._account_ids.take(rows),
            "customer_id": self._customer_ids.take(a.customer[rows]),
            "joint_customer_id": self._joint_ids(a.joint[rows]),
            "product_code": categories(list(PRODUCTS), a.product[rows]),
            "branch_code": prefixed_ids("BR", a.branch[rows].astype(np.int64) + 1, 3),
            "open_date": dates(a.open_day[rows]),
            "account_status": categories(ledger.STATUSES, status),
            "status_reason": categories(ledger.REASONS, a.reason[rows]),
            "closed_date": dates(a.closed_day[rows]),
            "charge_off_date": dates(a.charge_off_day[rows]),
            "charge_off_amount": money(a.charge_off_amount[rows], charged),
            "cycle_day": int32s(a.cycle_day[rows]),
            "credit_limit": money(a.credit_limit[rows]),
            "current_balance": money(a.balance[rows]),
            "last_statement_date": dates(a.last_stmt_day[rows]),
            "statement_balance": money(a.stmt_balance[rows], stated),
            "minimum_payment_due": money(a.min_due[rows], stated),
            "payment_due_date": dates(a.due_day[rows]),
            "amount_past_due": money(a.amount_past_due[rows]),
            "days_past_due": int32s(a.dpd[rows]),
            "cycles_past_due": int32s(a.cycles_past_due[rows]),
            "ctd_purchase_amount": money(a.ctd_purchase[rows]),
            "ctd_cash_advance_amount": money(a.ctd_cash[rows]),
            "ctd_cash_advance_count": int32s(a.ctd_cash_count[rows]),
            "ctd_payment_amount": money(a.ctd_payment[rows]),
            "last_payment_date": dates(a.last_pay_day[rows]),
            "last_payment_amount": money(a.last_pay_amount[rows], paid),
            "fraud_flag": bools(a.fraud[rows]),
            "hardship_flag": bools(a.hardship[rows]),
            "dispute_flag": bools(a.dispute[rows]),
        })  # fmt: skip

    def _joint_ids(self, joint: np.ndarray) -> pa.Array:
        ids = self._customer_ids.take(np.maximum(joint, 0))
        return pc.if_else(pa.array(joint >= 0), ids, pa.nulls(len(ids), pa.string()))

    def _payments_table(self, t: int, pays: _Payments) -> pa.Table:
        p = pays.collect()
        n = len(p["rows"])
        seq = np.arange(1, n + 1, dtype=np.int64)
        # Remember the numbers of payments that will bounce, so their reversal can point at them.
        bounce = p["reversible"]
        self.acc.rev_of_seq[p["rows"][bounce]] = seq[bounce]
        is_reversal = p["kind"] == REVERSAL
        of_ids = payment_ids(np.where(is_reversal, p["of_day"], t), p["of_seq"])
        return table(PAYMENTS.columns, {
            "business_date": dates(np.full(n, t, np.int32)),
            "payment_id": payment_ids(np.full(n, t), seq),
            "account_id": self._account_ids.take(p["rows"]),
            "posting_date": dates(np.full(n, t, np.int32)),
            "effective_date": dates(p["effective"]),
            "payment_amount": money(p["amount"]),
            "payment_type": categories(PAYMENT_TYPES, p["kind"]),
            "payment_channel": categories(ledger.CHANNELS, p["channel"]),
            "reversal_of_payment_id": pc.if_else(pa.array(is_reversal), of_ids, pa.nulls(n, pa.string())),
            "return_reason": categories(RETURN_REASONS, p["reason"]),
        })  # fmt: skip

    def _customers_table(self, t: int) -> pa.Table:
        rows = np.flatnonzero(self.cust.store.updated_day == t)
        return self.cust.render(rows, t)
