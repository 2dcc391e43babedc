"""Repayment plans (contract.REPAYMENT_PLANS) and the fees and waivers they bring, beside the engine's ledger.

Kinds and their dynamics (vectorized over plans; the bank's rules from the seed repayment_plan_policy):

- HARDSHIP: offered to a delinquent account (the engine's p_hardship_if_delinquent draw). While active the
  statement uses the reduced minimum and APR (engine: ``acc.hardship``) and the last late fee is waived at the
  next cut. The re-age rule: RESET brings the account current (every minimum counts as paid, the arrears stay
  in the balance) on the day the plan's first payment posts, so DPD drops only with a payment; STOP moves the due dates of the minimums overdue at the start forward one day per day, so DPD
  stays where it was while the plan is kept; the minimums that fall due after the start are not moved, so a
  missed instalment shows. Customers on a plan miss an instalment with probability
  Behaviour.p_miss_plan_instalment per statement; once ``broken_after_missed_instalments`` instalments due
  after the start are past due the plan is BROKEN and ordinary delinquency resumes (for STOP from the frozen
  DPD). Kept for ``term_months`` statements, it is COMPLETED.
- BILL_INSTALMENT / CASH_INSTALMENT: a current account converts its statement (bill) or borrows cash in
  instalments; a flat monthly fee (rate_percent / 12 of the principal) posts at each cut as INSTALMENT_FEE
  until ``term_months`` fees have posted. Cash lent posts to the balance after the cut (with the cycle's
  purchases). Not modelled: the instalment principal's separate minimum.
- SETTLEMENT: a charged-off balance settled for 40-70 % of it; the one payment (a RECOVERY) is made within a
  few weeks by Behaviour.p_keep_settlement of customers, the rest written off (a WAIVER of the plan) and the
  account closes paid off; unpaid after SETTLEMENT_DAYS the plan is BROKEN.
Any active plan whose account leaves the state it needs (OPEN; CHARGED_OFF for a settlement) is CANCELLED.
An account holds one active plan; a hardship plan replaces an instalment plan.

Calibration (public ranges): US card issuers' hardship / workout programmes hold a few per cent of
delinquent accounts (CFPB card market reports; OCC / FFIEC workout guidance), and a third to a half of the
plans break within six months (Fed and FFIEC re-age studies; issuers' forbearance disclosures): the default
rates give ~2-3 % of delinquent accounts starting a plan a month and ~40 % of plans broken within 180 days
(tests/simulate/test_plans.py measures both).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from creditwh.contract import PLAN_STATUSES, PLAN_TYPES, REPAYMENT_PLANS
from creditwh.simulate import behaviour, ledger
from creditwh.simulate.arrow import NA_DAY, categories, dates, int32s, money, table
from creditwh.simulate.charges import Charges, plan_ids
from creditwh.simulate.config import SimConfig
from creditwh.simulate.store import ArrayStore

BILL, CASH, HARDSHIP, SETTLEMENT = (PLAN_TYPES.index(k) for k in PLAN_TYPES)
ACTIVE, COMPLETED, BROKEN, CANCELLED = (PLAN_STATUSES.index(s) for s in PLAN_STATUSES)
INSTALMENT_TERMS = np.array([3, 6, 12, 24])
INSTALMENT_TERM_SHARES = np.array([0.3, 0.3, 0.3, 0.1])
HARDSHIP_TERMS = np.array([6, 12])
SETTLEMENT_DAYS = 30  # the settlement payment is due within this many days of the agreement
FEE_WAIVER_LOOKBACK_DAYS = 35  # a hardship plan waives the late fee of the last statement
BILL_MIN_CENTS = 1_000_00
CASH_MIN_CENTS, CASH_MAX_CENTS = 5_000_00, 50_000_00

_FIELDS = {
    "account": (np.int64, -1),
    "kind": (np.int8, 0),
    "start_day": (np.int32, NA_DAY),
    "term": (np.int32, 0),
    "principal": (np.int64, 0),
    "instalment": (np.int64, 0),
    "rate_bp": (np.int64, -1),  # hundredths of a percent a year; -1: none (settlement)
    "monthly_fee": (np.int64, 0),
    "waived": (np.int64, 0),
    "status": (np.int8, ACTIVE),
    "status_day": (np.int32, NA_DAY),
    "billed": (np.int32, 0),  # statement cuts since the start
    "cycles_at_start": (np.int32, 0),  # cycles past due the plan carries (0 once a RESET re-aged it)
    "settle_day": (np.int32, NA_DAY),  # settlement: the day the customer pays (NA: never)
}


class Plans:
    def __init__(self, acc, cfg: SimConfig):
        self.acc, self.cfg = acc, cfg
        self.store = ArrayStore(_FIELDS, max(int(cfg.n_accounts * 0.05), 64))
        self.rng = np.random.default_rng([cfg.seed, 0, 16])
        self.first_day = NA_DAY

    def begin(self, t: int) -> None:
        self.rng = np.random.default_rng([self.cfg.seed, t, 16])
        if self.first_day == NA_DAY:
            self.first_day = t

    # -- creation ------------------------------------------------------------------------------------------
    def _new(self, rows, kind, t, term, principal, instalment, rate_bp, waived=0, monthly_fee=0,
             cycles_at_start=0) -> np.ndarray:  # fmt: skip
        k = len(rows)
        p = self.store
        new = np.arange(*p.append(k).indices(p.n))
        values = {"account": rows, "kind": kind, "start_day": t, "term": term, "principal": principal,
                  "instalment": instalment, "rate_bp": rate_bp, "waived": waived, "monthly_fee": monthly_fee,
                  "status_day": t, "cycles_at_start": cycles_at_start}  # fmt: skip
        for name, value in values.items():
            getattr(p, name)[new] = value
        self._cancel(self.acc.plan[rows], int(np.max(t, initial=0)))  # one active plan per account
        self.acc.plan[rows] = new
        return new

    def season(self, t0: int) -> None:
        """Plans of the accounts seasoned on hardship: started up to six months before the first day, with
        the cycles past due they still carry (so they break on the next missed instalment)."""
        a, cfg = self.acc, self.cfg
        rows = np.flatnonzero(a.hardship & ~a.gone)
        start = t0 - self.rng.integers(1, 181, len(rows))
        new = self._new(rows, HARDSHIP, start, 12, np.maximum(a.balance[rows], 0),
                        behaviour.minimum_payment(cfg, a.balance[rows], np.ones(len(rows), bool)),
                        round(cfg.hardship_apr * 10_000), cycles_at_start=a.cycles_past_due[rows])  # fmt: skip
        self.store.billed[new] = (t0 - start) // 30
        if cfg.hardship_reage == "STOP":
            self._freeze_overdue(rows, t0)

    def start_hardship(self, t: int, rows: np.ndarray) -> None:
        """Delinquent accounts agreeing a hardship plan today (the engine drew them). The customer commits to
        the first instalment within three days (or misses it). RESET re-ages the account on the day that
        payment posts (reage: DPD drops only with a payment, as the raw gate's dpd_continuity requires);
        STOP freezes the minimums overdue today."""
        a, cfg, rng = self.acc, self.cfg, self.rng
        recent_fee = (a.fee_day[rows] != NA_DAY) & (a.fee_day[rows] >= t - FEE_WAIVER_LOOKBACK_DAYS)
        waived = np.where(recent_fee & (a.fee_return[rows] == 0), a.fee_amount[rows], 0)
        instalment = behaviour.minimum_payment(cfg, a.balance[rows], np.ones(len(rows), bool))
        new = self._new(rows, HARDSHIP, t, rng.choice(HARDSHIP_TERMS, len(rows)), np.maximum(a.balance[rows], 0),
                        instalment, round(cfg.hardship_apr * 10_000), waived=waived,
                        cycles_at_start=a.cycles_past_due[rows])  # fmt: skip
        a.hardship[rows] = True
        commit = (instalment > 0) & (rng.random(len(rows)) >= cfg.behaviour.p_miss_plan_instalment)
        committed = rows[commit]
        a.pay_day[committed] = t + rng.integers(1, 4, len(committed))
        a.pay_amount[committed] = instalment[commit]
        if cfg.hardship_reage == "RESET":
            a.reage_pending[rows] = True
        else:
            self._freeze_overdue(rows, t)
        a.fee_return[rows] = np.where(waived > 0, ledger.FEE_WAIVED, a.fee_return[rows])
        a.fee_return_plan[rows] = np.where(waived > 0, new, a.fee_return_plan[rows])

    def reage(self, rows: np.ndarray) -> None:
        """RESET: the first payment of a hardship plan, posted today, brings the account current - every
        minimum in the ring counts as paid (the arrears stay in the balance, repaid through the plan)."""
        a = self.acc
        rows = rows[a.reage_pending[rows]]
        a.alloc[rows] = a.ring_sum[rows]
        a.reage_pending[rows] = False
        self.store.cycles_at_start[a.plan[rows]] = 0

    # -- the statement cut ---------------------------------------------------------------------------------
    def fees_at_cut(self, t: int, rows: np.ndarray, charges: Charges) -> np.ndarray:
        """Instalment fees of the rows' active plans and the fee waivers / reversals decided since the last
        cut: added to charges, returned as the cents each row's statement gains (negative for a return)."""
        a, p = self.acc, self.store
        plan = a.plan[rows]
        on_plan = plan >= 0
        active = np.zeros(len(rows), bool)
        active[on_plan] = (p.status[plan[on_plan]] == ACTIVE) & (p.kind[plan[on_plan]] != SETTLEMENT)
        billed = plan[active]
        p.billed[billed] += 1
        fee = np.zeros(len(rows), np.int64)
        fee[active] = p.monthly_fee[billed]
        charges.add(rows, fee, "INSTALMENT_FEE", plan=plan)
        ret = a.fee_return[rows]
        back = np.where(ret > 0, -a.fee_amount[rows], 0)
        for code, kind in ((ledger.FEE_WAIVED, "WAIVER"), (ledger.FEE_REVERSED, "REVERSAL")):
            chosen = ret == code
            charges.add(rows[chosen], back[chosen], kind, of_day=a.fee_day[rows[chosen]],
                        of_seq=a.fee_seq[rows[chosen]], plan=a.fee_return_plan[rows[chosen]])  # fmt: skip
        a.fee_return[rows] = 0
        a.fee_return_plan[rows] = -1
        return fee + back

    def after_cut(self, t: int, rows: np.ndarray, cycles: np.ndarray, late_fee: np.ndarray) -> None:
        """Customers' plan decisions at their statement: missed instalments, new instalment plans, goodwill
        reversals of late fees; plans whose last instalment was billed complete."""
        a, p, cfg, rng = self.acc, self.store, self.cfg, self.rng
        k = len(rows)
        u = rng.random((4, k))
        plan = a.plan[rows]
        hardship = plan >= 0
        hardship[hardship] = (p.kind[plan[hardship]] == HARDSHIP) & (p.status[plan[hardship]] == ACTIVE)
        miss = rows[hardship & (u[0] < cfg.behaviour.p_miss_plan_instalment)]
        a.pay_day[miss] = NA_DAY
        reverse = (late_fee > 0) & (u[1] < cfg.p_late_fee_reversal) & (a.fee_return[rows] == 0)
        a.fee_return[rows[reverse]] = ledger.FEE_REVERSED  # of the fee posted today, at the next cut

        # plans whose last instalment was billed at this cut complete
        active = plan >= 0
        active[active] = p.status[plan[active]] == ACTIVE
        done = plan[active]
        done = done[(p.kind[done] != SETTLEMENT) & (p.billed[done] >= p.term[done])]
        self._close(done, COMPLETED, t)

        free = (a.plan[rows] < 0) & (cycles == 0) & ~a.closing[rows] & ~a.fraud[rows]
        sb = a.stmt_balance[rows]
        bill = free & (a.segment[rows] >= 1) & (sb >= BILL_MIN_CENTS) & (u[2] < cfg.p_bill_instalment)
        room = a.credit_limit[rows] - a.balance[rows]
        cash = free & ~bill & (room >= CASH_MIN_CENTS) & (u[3] < cfg.p_cash_instalment)
        for kind, chosen in ((BILL, bill), (CASH, cash)):
            r = rows[chosen]
            if kind == BILL:
                principal = (sb[chosen] // 100_00) * 100_00
            else:
                want = (
                    rng.integers(CASH_MIN_CENTS // 1000_00, CASH_MAX_CENTS // 1000_00 + 1, len(r)) * 1000_00
                )
                principal = np.minimum(want, (room[chosen] // 1000_00) * 1000_00)
                a.balance[r] += principal  # lent after the cut: in the next statement, with the purchases
                a.ctd_purchase[r] += principal
            term = rng.choice(INSTALMENT_TERMS, len(r), p=INSTALMENT_TERM_SHARES)
            fee = np.rint(principal * cfg.instalment_fee_monthly_pct).astype(np.int64)
            self._new(r, kind, t, term, principal, principal // term + fee,
                      round(cfg.instalment_fee_monthly_pct * 12 * 10_000), monthly_fee=fee)  # fmt: skip

    # -- the day's review ----------------------------------------------------------------------------------
    def freeze(self, t: int) -> None:
        """STOP: the minimums overdue when a kept hardship plan started stay as overdue as they were."""
        a = self.acc
        rows = np.flatnonzero(a.unfrozen_tail >= 0)
        if len(rows) == 0:
            return
        slots = a.ring_due.shape[1]
        frozen = np.arange(slots)[None, :] < slots - a.unfrozen_tail[rows, None]
        shift = frozen & (a.ring_due[rows] != ledger.FAR_DAY)
        a.ring_due[rows] += shift.astype(a.ring_due.dtype)

    def _freeze_overdue(self, rows: np.ndarray, t: int) -> None:
        """STOP: freeze the rows' minimums due before t (the ring's empty slots, FAR_DAY, are not cycles)."""
        due = self.acc.ring_due[rows]
        self.acc.unfrozen_tail[rows] = ((due >= t) & (due != ledger.FAR_DAY)).sum(axis=1)

    def _missed_since_freeze(self, rows: np.ndarray, t: int) -> np.ndarray:
        """STOP: the minimums past due among those not frozen (due after the start), while the account is
        late at all (the tolerance may count a small remainder as paid)."""
        a = self.acc
        slots = a.ring_due.shape[1]
        _, overdue = ledger.overdue_slots(a.ring_mp[rows], a.ring_due[rows], a.alloc[rows], t, self.cfg.grace_days)
        tail = np.arange(slots)[None, :] >= slots - a.unfrozen_tail[rows, None]
        return np.where(a.cycles_past_due[rows] > 0, (overdue & tail).sum(axis=1), 0)

    def cycle_cut(self, rows: np.ndarray) -> None:
        """A statement pushed onto the rows' rings: one more slot at the end is not frozen."""
        a = self.acc
        frozen = rows[a.unfrozen_tail[rows] >= 0]
        a.unfrozen_tail[frozen] = np.minimum(a.unfrozen_tail[frozen] + 1, a.ring_due.shape[1])

    def settlements_due(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(account rows, payment cents, plan rows) of the settlements paid today (the engine posts RECOVERY)."""
        a, p = self.acc, self.store
        plans = np.flatnonzero((p.status == ACTIVE) & (p.kind == SETTLEMENT) & (p.settle_day == t))
        rows = p.account[plans]
        ok = (a.status[rows] == ledger.CHARGED_OFF) & ~a.gone[rows] & (a.balance[rows] > 0)
        plans, rows = plans[ok], rows[ok]
        return rows, np.minimum(p.instalment[plans], a.balance[rows]), plans

    def write_off(self, t: int, rows: np.ndarray, plans: np.ndarray, charges: Charges) -> None:
        """After the settlement payments: the rest of the balance is waived and the plan completes."""
        a, p = self.acc, self.store
        rest = np.maximum(a.balance[rows], 0)
        charges.add(rows, -rest, "WAIVER", plan=plans)
        a.balance[rows] -= rest
        p.waived[plans] = rest
        self._close(plans, COMPLETED, t)

    def review(self, t: int) -> None:
        """After the day's postings and counters: broken and cancelled plans, new settlements."""
        a, p, cfg, rng = self.acc, self.store, self.cfg, self.rng
        active = np.flatnonzero(p.status == ACTIVE)
        rows = p.account[active]
        kind = p.kind[active]
        settlement = kind == SETTLEMENT
        needs = np.where(settlement, ledger.CHARGED_OFF, ledger.OPEN)
        self._close(active[(a.status[rows] != needs) | a.gone[rows]], CANCELLED, t)
        missed = a.cycles_past_due[rows] - p.cycles_at_start[active]
        stop = a.unfrozen_tail[rows] >= 0
        missed[stop] = self._missed_since_freeze(rows[stop], t)
        broken = ~settlement & (missed >= cfg.broken_after_missed_instalments)
        broken |= settlement & (p.settle_day[active] == NA_DAY) & (t - p.start_day[active] >= SETTLEMENT_DAYS)
        self._close(active[broken & (p.status[active] == ACTIVE)], BROKEN, t)

        # fraud losses are not the customer's debt: never settled
        offer = np.flatnonzero(
            (a.status == ledger.CHARGED_OFF)
            & (a.reason != ledger.FRAUD)
            & ~a.gone
            & (a.balance > 0)
            & (a.plan < 0)
        )
        offer = offer[rng.random(len(offer)) < cfg.p_settlement]
        balance = a.balance[offer]
        agreed = np.maximum(np.rint(balance * rng.uniform(0.4, 0.7, len(offer)) / 100) * 100, 100).astype(
            np.int64
        )
        agreed = np.minimum(agreed, balance)
        new = self._new(offer, SETTLEMENT, t, 1, balance, agreed, -1, waived=balance - agreed)
        kept = rng.random(len(new)) < cfg.behaviour.p_keep_settlement
        p.settle_day[new] = np.where(kept, t + rng.integers(2, SETTLEMENT_DAYS, len(new)), NA_DAY)

    def _close(self, plans: np.ndarray, status: int, t: int) -> None:
        plans = plans[plans >= 0]
        plans = plans[self.store.status[plans] == ACTIVE]
        p, a = self.store, self.acc
        p.status[plans] = status
        p.status_day[plans] = t
        rows = p.account[plans]
        a.plan[rows] = -1
        a.hardship[rows] = False
        a.unfrozen_tail[rows] = -1
        a.reage_pending[rows] = False

    def _cancel(self, plans: np.ndarray, t: int) -> None:
        self._close(plans, CANCELLED, t)

    # -- output --------------------------------------------------------------------------------------------
    def table(self, t: int, account_ids) -> pa.Table:
        """Plans created or changed today; on the first day every active plan."""
        p = self.store
        changed = (p.status_day == t) | (p.start_day == t)
        if t == self.first_day:
            changed |= p.status == ACTIVE
        plans = np.flatnonzero(changed)
        n = len(plans)
        rate = p.rate_bp[plans]
        return table(REPAYMENT_PLANS.columns, {
            "business_date": dates(np.full(n, t, np.int32)),
            "plan_id": plan_ids(plans),
            "account_id": account_ids.take(p.account[plans]),
            "plan_type": categories(list(PLAN_TYPES), p.kind[plans]),
            "start_date": dates(p.start_day[plans]),
            "term_months": int32s(p.term[plans]),
            "principal_amount": money(p.principal[plans]),
            "instalment_amount": money(p.instalment[plans]),
            "rate_percent": money(rate, rate >= 0),
            "amount_waived": money(p.waived[plans]),
            "plan_status": categories(list(PLAN_STATUSES), p.status[plans]),
            "status_date": dates(p.status_day[plans]),
        })  # fmt: skip
