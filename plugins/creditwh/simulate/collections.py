"""The card platform's collections operation: placements, contact attempts, outcomes and promises to pay.

Each simulated day, after the day's payments, charge-offs and closures (vectorized over accounts):

1. placement: every delinquent account is held by one holder of its stage (dbt_project/seeds/
   collection_holders.csv, the bank's file; split by allocation_share): EARLY 1-60 DPD (in-house teams),
   LATE 61 DPD to charge-off (agencies), charged-off balances with a recovery agency or, for a share of the
   larger ones, the legal department. A change of holder closes the assignment and opens the next; a cure,
   closure or sale closes it.
2. actions by stage: SMS / IVR / EMAIL / LETTER on set DPD days, collector calls most weekdays (a second
   attempt after no answer), agency calls and a few field visits in the late stage, monthly legal steps;
   pre-due SMS reminders to a random share of the current accounts with their minimum unpaid a few days
   before the due date, whatever their risk: the others are a random holdout, so within any tier the bank's
   strategy picks, reminded and not reminded accounts are comparable.
3. outcomes and their effect on the book (causal, so the KPI marts measure something real): a right-party
   contact sometimes makes the customer pay the oldest unpaid minimum; a promise to pay is kept with a
   probability by segment (the customers' side of these effects is in config.Behaviour), and a kept promise schedules the payment through the engine's ordinary path
   (``pay_day`` / ``pay_amount``; a recovery payment for a charged-off account); a broken promise (nothing
   paid by the promised date plus GRACE_DAYS) may cancel the customer's next scheduled payment (roll
   forward); a reminder makes some customers who would have paid late pay by the
   due date; a dispute raised on a call flags the account as disputed.

Calibration (public industry ranges, per call attempt; ACA International and vendor benchmarks for
first-party card collections quote right-party contact rates of roughly 10-25% of dials and promise rates of
30-50% of right-party contacts, with 50-70% of promises kept; agencies in the late stage reach fewer
customers): CALL reaches the right party on 18% of attempts, agency calls on 12%, IVR on 10%, visits on 40%;
a promise is taken on 40% of right-party calls (35% agency, 30% IVR, 50% visit); a promise is kept with
probability Behaviour.p_keep_promise by segment (0.62 .. 0.42, transactor .. subprime), which, with the
payments customers make anyway, lands in 50-70% measured (tests/simulate/test_collections_calibration.py measures
all three on a simulated book). Complaints (0.5% of right-party contacts) and disputes (1%) are rare, as in
regulators' complaint statistics.

Contact rules (the bank's seeds, creditwh.collection_contact_rules): actions only within the allowed local
hours, call attempts (the seed's call-attempt channels) per account within each cap (per day, in any 7 days);
disputed accounts are not called. On a clean day no action breaks them (mart_collections_compliance is
empty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from creditwh.collection_contact_rules import ContactRules, contact_rules
from creditwh.collection_holders import collection_holders
from creditwh.contract import COLLECTION_ACTIONS, COLLECTION_ASSIGNMENTS
from creditwh.seeds import SEEDS_DIR, seed_rows
from creditwh.simulate import ledger
from creditwh.simulate.arrow import NA_DAY, categories, dates, money, prefixed_ids, table
from creditwh.simulate.behaviour import draw
from creditwh.simulate.config import Behaviour
from creditwh.simulate.cycles import yyyymmdd


def _reminder_days_before_due() -> int:
    """The pre-due reminder's days before the due date, from the bank's strategy (seed
    collection_treatment_strategy, its is_reminder rows): the simulated platform sends what the bank set."""
    path = SEEDS_DIR / "collection_treatment_strategy.csv"
    days = {int(r["min_days_to_due"]) for r in seed_rows(path) if r["is_reminder"].strip().lower() == "true"}
    if len(days) != 1:
        raise ValueError(f"{path}: the simulator sends reminders on one day before the due date; the "
                         f"is_reminder rows give {sorted(days) or 'none'}")  # fmt: skip
    return days.pop()


# Placement and cadence of the simulated platform.
EARLY_MAX_DPD = 60
LEGAL_SHARE = 0.25  # of charged-off balances of at least LEGAL_MIN_BALANCE_CENTS
LEGAL_MIN_BALANCE_CENTS = 2_000_00
REMINDER_DAYS_BEFORE_DUE = _reminder_days_before_due()
REMINDER_SHARE = 0.5  # of eligible accounts; the rest are the comparison group
SMS_DPD = (1, 3, 6, 11, 16, 21, 26, 31, 41, 51)
IVR_DPD = (2, 4, 8, 12)
EMAIL_DPD = (7, 21, 45)
LETTER_DPD = (30, 60, 90, 120, 150)
P_CALL_DAY = {"EARLY": 0.7, "LATE": 0.5, "CHARGED_OFF": 0.25, "LEGAL": 0.05}  # Mon-Sat (early: from CALL_FROM_DPD)
CALL_FROM_DPD = 5
P_SECOND_ATTEMPT = 0.35  # after no answer / busy
P_VISIT_DAY = 0.005  # late stage
LEGAL_STEP_DAYS = 30

# Outcomes of a voice attempt: (no answer, busy, wrong party, right party), then given the right party:
# (promise, refused, dispute, complaint); the rest is a plain right-party contact (or PAID when the
# customer paid in the last PAID_RECENT_DAYS).
REACH = {
    "CALL": (0.60, 0.12, 0.10, 0.18),
    "AGENCY": (0.66, 0.12, 0.10, 0.12),
    "IVR": (0.80, 0.10, 0.00, 0.10),
    "VISIT": (0.45, 0.00, 0.15, 0.40),
}
RIGHT_PARTY = {
    "CALL": (0.40, 0.15, 0.01, 0.005),
    "AGENCY": (0.35, 0.20, 0.01, 0.005),
    "IVR": (0.30, 0.00, 0.00, 0.00),
    "VISIT": (0.50, 0.15, 0.01, 0.005),
}
PAID_RECENT_DAYS = 3
PROMISE_MAX_DAYS = 10
# a promise is broken when nothing was paid by the promised date plus these days (the KPI marts' own rule)
GRACE_DAYS = int(seed_rows(SEEDS_DIR / "collection_kpi_policy.csv")[0]["promise_grace_days"])

STAGES = ("REMINDER", "EARLY", "LATE", "CHARGED_OFF", "LEGAL")
CHANNELS = ("SMS", "IVR", "CALL", "EMAIL", "LETTER", "VISIT", "AGENCY", "LEGAL")
OUTCOMES = (None, "NO_ANSWER", "BUSY", "WRONG_PARTY", "RPC", "PTP", "REFUSED", "DISPUTE", "COMPLAINT", "PAID")
NO_OUTCOME, NO_ANSWER, BUSY, WRONG_PARTY, RPC, PTP, REFUSED, DISPUTE, COMPLAINT, PAID = range(10)
CLOSE_REASONS = (None, "CURED", "ESCALATED", "CLOSED", "SOLD", "PAID_OFF")


@dataclass(frozen=True)
class Holders:
    """The holders seed as arrays (index = holder code) and their collectors, grouped by holder."""

    ids: list[str]
    stage: np.ndarray  # index into STAGES
    share: np.ndarray
    collector_ids: list[str]
    first_collector: np.ndarray  # per holder: index of its first collector (collectors sorted by holder)
    collectors: np.ndarray  # per holder: how many

    @classmethod
    def from_seeds(cls) -> Holders:
        seed = collection_holders()
        ids = seed.holder_ids
        collectors = sorted(seed.collectors, key=lambda c: (ids.index(c.holder_id), c.collector_id))
        counts = np.bincount([ids.index(c.holder_id) for c in collectors], minlength=len(ids))
        return cls(
            ids=ids,
            stage=np.array([STAGES.index(h.stage) for h in seed.holders]),
            share=np.array([h.allocation_share for h in seed.holders]),
            collector_ids=[c.collector_id for c in collectors],
            first_collector=np.concatenate([[0], np.cumsum(counts)[:-1]]),
            collectors=counts,
        )

    def of_stage(self, stage: str, rows: np.ndarray) -> np.ndarray:
        """The stage's holder of each account row: a stable hash of the row split by allocation_share."""
        (members,) = np.nonzero(self.stage == STAGES.index(stage))
        share = np.cumsum(self.share[members]) / self.share[members].sum()
        u = _hash(rows, 0x9E3779B1)
        return members[np.minimum(np.searchsorted(share, u, side="right"), len(members) - 1)]


def _hash(rows: np.ndarray, salt: int) -> np.ndarray:
    """A uniform number in [0, 1) per account row, the same every day."""
    x = (np.asarray(rows, dtype=np.uint64) + np.uint64(1)) * np.uint64(salt) % np.uint64(2**32)
    return x.astype(np.float64) / 2**32


_FIELDS = {
    "holder": (np.int16, -1),
    "assignment": (np.int64, -1),
    "assign_from": (np.int32, NA_DAY),
    "assign_balance": (np.int64, 0),
    "assign_dpd": (np.int32, 0),
    "pay_day": (np.int32, NA_DAY),  # a payment the customer committed to (kept promise, after a contact)
    "pay_amount": (np.int64, 0),
    "promise_due": (np.int32, NA_DAY),  # promised date of the open promise the customer will break
    "promise_made": (np.int32, NA_DAY),
}


class Collections:
    """Collections state beside the engine's ledger (indexed by account row) and the day's output rows."""

    def __init__(self, acc, behaviour: Behaviour, seed: int, holders: Holders | None = None,
                 rules: ContactRules | None = None):  # fmt: skip
        self.acc = acc
        self.response = behaviour  # how customers answer (p_keep_promise, p_pay_after_contact, ...)
        self.holders = holders or Holders.from_seeds()
        self.rules = rules or contact_rules()
        self.seed = seed
        self.state = {name: np.zeros(0, dtype) for name, (dtype, _) in _FIELDS.items()}
        # call attempts per account on each day of the longest cap's window (a ring indexed by day % width)
        self.calls = np.zeros((0, self.rules.longest_window_days), np.int8)
        self.next_assignment = 1
        self._actions: dict[str, np.ndarray] = {}
        self._assignments: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str) -> np.ndarray:
        state = self.__dict__.get("state")
        if state is None or name not in state:
            raise AttributeError(name)
        return state[name]

    def _grow(self) -> None:
        n, have = self.acc.n, len(self.holder)
        if n > have:
            for name, (dtype, fill) in _FIELDS.items():
                self.state[name] = np.concatenate([self.state[name], np.full(n - have, fill, dtype)])
            self.calls = np.vstack([self.calls, np.zeros((n - have, self.calls.shape[1]), np.int8)])

    # -- the engine's side ---------------------------------------------------------------------------------
    def recoveries_due(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Charged-off accounts whose kept promise pays today, and how much (the engine posts RECOVERY)."""
        a = self.acc
        if len(self.pay_day) == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        n = len(self.pay_day)
        rows = np.flatnonzero(
            (self.pay_day == t) & (a.status[:n] == ledger.CHARGED_OFF) & ~a.gone[:n] & (a.balance[:n] > 0)
        )
        return rows, np.minimum(self.pay_amount[rows], a.balance[rows])

    def act(self, t: int, waiting: np.ndarray) -> None:
        """The day's collections work, after the day's postings (counters are today's); `waiting`: rows
        with a payment received but not posted yet."""
        self._grow()
        rng = np.random.default_rng([self.seed, t, 15])
        self.calls[:, t % self.calls.shape[1]] = 0
        self._assignments = self._place(t)
        blocks = [self._remind(rng, t), *self._work(rng, t)]
        self._actions = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
        self._follow_up(rng, t, waiting)

    # -- placement -----------------------------------------------------------------------------------------
    def _target(self) -> np.ndarray:
        a, n = self.acc, self.acc.n
        target = np.full(n, -1, np.int64)
        # fraud is the fraud team's, not collections': a fraud-flagged account (a fraud charge-off above all)
        # is never placed, so never worked by an agency or legal
        live = ~a.gone & ~a.fraud
        open_ = live & (a.status == ledger.OPEN)
        early = np.flatnonzero(open_ & (a.dpd >= 1) & (a.dpd <= EARLY_MAX_DPD))
        late = np.flatnonzero(open_ & (a.dpd > EARLY_MAX_DPD))
        charged = np.flatnonzero(live & (a.status == ledger.CHARGED_OFF) & (a.balance > 0))
        legal = (_hash(charged, 0x85EBCA77) < LEGAL_SHARE) & (
            a.charge_off_amount[charged] >= LEGAL_MIN_BALANCE_CENTS
        )
        target[early] = self.holders.of_stage("EARLY", early)
        target[late] = self.holders.of_stage("LATE", late)
        target[charged[~legal]] = self.holders.of_stage("CHARGED_OFF", charged[~legal])
        target[charged[legal]] = self.holders.of_stage("LEGAL", charged[legal])
        return target

    def _place(self, t: int) -> dict[str, np.ndarray]:
        a = self.acc
        target = self._target()
        changed = target != self.holder
        closing = np.flatnonzero(changed & (self.holder >= 0))
        opening = np.flatnonzero(changed & (target >= 0))
        status, reason = a.status[closing], a.reason[closing]
        why = np.select(
            [
                target[closing] >= 0,
                status == ledger.TRANSFERRED,
                (status == ledger.CLOSED) & (reason == ledger.PAID_OFF),
                status == ledger.CLOSED,
                status == ledger.CHARGED_OFF,
            ],
            [2, 4, 5, 3, 5],
            1,  # an open account back to current: cured
        )
        closed = {
            "rows": closing,
            "assignment": self.assignment[closing],
            "holder": self.holder[closing].astype(np.int64),
            "valid_from": self.assign_from[closing],
            "valid_to": np.full(len(closing), t, np.int32),
            "balance": self.assign_balance[closing],
            "dpd": self.assign_dpd[closing],
            "reason": why,
        }
        self.holder[closing] = -1
        self.assignment[closing] = -1
        numbers = np.arange(self.next_assignment, self.next_assignment + len(opening))
        self.next_assignment += len(opening)
        self.holder[opening] = target[opening]
        self.assignment[opening] = numbers
        self.assign_from[opening] = t
        self.assign_balance[opening] = a.balance[opening]
        self.assign_dpd[opening] = a.dpd[opening]
        opened = {
            "rows": opening,
            "assignment": numbers,
            "holder": target[opening],
            "valid_from": np.full(len(opening), t, np.int32),
            "valid_to": np.full(len(opening), NA_DAY, np.int32),
            "balance": a.balance[opening],
            "dpd": a.dpd[opening],
            "reason": np.zeros(len(opening), np.int64),
        }
        return {k: np.concatenate([closed[k], opened[k]]) for k in closed}

    # -- actions -------------------------------------------------------------------------------------------
    def _remind(self, rng: np.random.Generator, t: int) -> dict[str, np.ndarray]:
        """Pre-due SMS to a random REMINDER_SHARE of the current accounts still owing their minimum (autopay
        ones too: the holdout must be random); some late payers then pay on time."""
        a = self.acc
        eligible = np.flatnonzero(
            ~a.gone & (a.status == ledger.OPEN) & (a.dpd == 0)
            & (a.due_day == t + REMINDER_DAYS_BEFORE_DUE) & (a.ctd_payment < a.min_due) & (a.min_due > 0)
        )  # fmt: skip
        rows = eligible[rng.random(len(eligible)) < REMINDER_SHARE]
        late = rows[(a.pay_day[rows] == NA_DAY) | (a.pay_day[rows] > a.due_day[rows])]
        lifted = late[rng.random(len(late)) < self.response.p_reminder_lift]
        self._commit(lifted, a.due_day[lifted] - rng.integers(0, REMINDER_DAYS_BEFORE_DUE, len(lifted)),
                     a.min_due[lifted] - a.ctd_payment[lifted])  # fmt: skip
        holder = self.holders.of_stage("REMINDER", rows)
        return self._rows(rng, t, rows, "SMS", holder, np.full(len(rows), NO_OUTCOME), (9, 18))

    def _work(self, rng: np.random.Generator, t: int) -> list[dict[str, np.ndarray]]:
        a = self.acc
        held = np.flatnonzero(self.holder >= 0)
        stage = self.holders.stage[self.holder[held]]
        dpd = a.dpd[held]
        days_held = t - self.assign_from[held]
        weekday = (t + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
        early, late = stage == STAGES.index("EARLY"), stage == STAGES.index("LATE")
        charged = stage == STAGES.index("CHARGED_OFF")
        legal = stage == STAGES.index("LEGAL")
        none = np.full(len(held), NO_OUTCOME)
        blocks = []

        def message(channel: str, when: np.ndarray, hours: tuple[int, int]) -> None:
            rows = held[when]
            blocks.append(self._rows(rng, t, rows, channel, self.holder[rows], none[when], hours))

        message("SMS", early & np.isin(dpd, SMS_DPD), (9, 18))
        message("EMAIL", early & np.isin(dpd, EMAIL_DPD), (9, 18))
        message("LETTER", (early | late) & np.isin(dpd, LETTER_DPD), (9, 17))
        message("LEGAL", legal & (days_held % LEGAL_STEP_DAYS == 0), (9, 17))
        reachable = ~a.dispute[held]
        blocks.append(self._voice(rng, t, held[early & reachable & np.isin(dpd, IVR_DPD)], "IVR"))
        if weekday < 6:  # no calls on Sundays
            p_call = np.select([early, late, charged, legal], [P_CALL_DAY[s] for s in P_CALL_DAY], 0.0)
            calling = reachable & (rng.random(len(held)) < p_call) & ~(early & (dpd < CALL_FROM_DPD))
            in_house = early | legal
            blocks.append(self._voice(rng, t, held[calling & in_house], "CALL"))
            blocks.append(self._voice(rng, t, held[calling & ~in_house], "AGENCY"))
            visit = late & reachable & (rng.random(len(held)) < P_VISIT_DAY)
            blocks.append(self._voice(rng, t, held[visit], "VISIT"))
        return blocks

    def _voice(self, rng: np.random.Generator, t: int, rows: np.ndarray, channel: str) -> dict:
        """Attempts with outcomes; calls within the caps, a second attempt after no answer; effects applied."""
        is_call = channel in self.rules.call_channels
        if is_call:
            rows = rows[self._within_caps(rows, t)]
        first = self._attempt(rng, t, rows, channel, (8, 14))
        if not is_call:
            return first
        today = t % self.calls.shape[1]
        self.calls[rows, today] += 1
        missed = first["rows"][np.isin(first["outcome"], (NO_ANSWER, BUSY))]
        again = missed[(rng.random(len(missed)) < P_SECOND_ATTEMPT) & self._within_caps(missed, t)]
        second = self._attempt(rng, t, again, channel, (14, self.rules.hours[1] - 1))
        self.calls[again, today] += 1
        return {k: np.concatenate([first[k], second[k]]) for k in first}

    def _within_caps(self, rows: np.ndarray, t: int) -> np.ndarray:
        """Whether one more call attempt today keeps each account within every cap (a loop over the caps)."""
        ok = np.ones(len(rows), bool)
        for cap in self.rules.caps:
            days = [(t - k) % self.calls.shape[1] for k in range(cap.window_days)]
            ok &= self.calls[np.ix_(rows, days)].sum(axis=1) < cap.max_attempts
        return ok

    def _attempt(self, rng, t, rows, channel, hours) -> dict:
        a, k = self.acc, len(rows)
        reach = draw(rng, np.broadcast_to(REACH[channel], (k, 4)))  # 0 no answer .. 3 right party
        outcome = np.array([NO_ANSWER, BUSY, WRONG_PARTY, RPC])[reach]
        right = np.flatnonzero(reach == 3)
        then = draw(rng, np.broadcast_to(_with_rest(RIGHT_PARTY[channel]), (len(right), 5)))
        outcome[right] = np.array([PTP, REFUSED, DISPUTE, COMPLAINT, RPC])[then]
        recently_paid = (a.last_pay_day[rows[right]] != NA_DAY) & (
            a.last_pay_day[rows[right]] >= t - PAID_RECENT_DAYS
        )
        outcome[right[(then == 4) & recently_paid]] = PAID
        promised_amount, promised_date = self._promise(rng, t, rows, outcome == PTP)
        self._contact_effects(rng, t, rows, outcome)
        seconds = np.where(
            np.isin(outcome, (NO_ANSWER, BUSY)),
            0,
            np.where(outcome == WRONG_PARTY, rng.integers(10, 45, k), rng.lognormal(5.1, 0.5, k).astype(np.int64)),
        )
        out = self._rows(rng, t, rows, channel, self.holder[rows], outcome, hours)
        out["talk"] = np.where(channel == "VISIT", -1, seconds)
        out["promised_amount"], out["promised_date"] = promised_amount, promised_date
        return out

    def _promise(self, rng, t, rows, ptp):
        """Promised amount (the arrears; a settlement instalment once charged off) and date; whether the
        customer will keep it is decided now and, when kept, the payment is scheduled."""
        a = self.acc
        p = rows[ptp]
        charged = a.status[p] == ledger.CHARGED_OFF
        arrears = np.maximum(a.amount_past_due[p], a.min_due[p])
        instalment = np.rint(a.balance[p] * rng.uniform(0.05, 0.2, len(p)) / 100_00) * 100_00
        amount = np.where(charged, np.maximum(instalment, 100_00), np.ceil(arrears / 100) * 100)
        amount = np.maximum(np.minimum(amount, np.maximum(a.balance[p], 100)), 100).astype(np.int64)
        due = (t + rng.integers(1, PROMISE_MAX_DAYS + 1, len(p))).astype(np.int32)
        keep = rng.random(len(p)) < np.asarray(self.response.p_keep_promise)[a.segment[p]]
        kept = p[keep]
        self._commit(kept, t + 1 + (rng.random(len(kept)) * (due[keep] - t)).astype(np.int64), amount[keep])
        broken = p[~keep]
        self.promise_due[broken] = due[~keep]
        self.promise_made[broken] = t
        self.promise_due[kept] = NA_DAY
        promised_amount = np.zeros(len(rows), np.int64)
        promised_date = np.full(len(rows), NA_DAY, np.int32)
        promised_amount[ptp], promised_date[ptp] = amount, due
        return promised_amount, promised_date

    def _contact_effects(self, rng, t, rows, outcome) -> None:
        a = self.acc
        talked = rows[(outcome == RPC) & (a.status[rows] == ledger.OPEN)]
        paying = talked[rng.random(len(talked)) < self.response.p_pay_after_contact]
        self._commit(paying, t + rng.integers(1, 6, len(paying)),
                     ledger.oldest_unpaid(a.ring_mp[paying], a.alloc[paying]))  # fmt: skip
        a.dispute[rows[outcome == DISPUTE]] = True

    def _commit(self, rows: np.ndarray, day: np.ndarray, amount: np.ndarray) -> None:
        keep = amount > 0
        self.pay_day[rows[keep]] = np.asarray(day)[keep]
        self.pay_amount[rows[keep]] = np.asarray(amount)[keep]

    def _follow_up(self, rng: np.random.Generator, t: int, waiting: np.ndarray) -> None:
        """Put committed payments of open accounts on the engine's schedule (again after a statement cut
        replaced it); broken promises roll forward. Not while a payment of the account waits to post: the
        platform posts one payment per account and day, so the second would post late."""
        a = self.acc
        due = np.flatnonzero((self.pay_day > t) & (a.status == ledger.OPEN) & ~a.gone)
        due = due[(a.pay_day[due] != self.pay_day[due]) & ~np.isin(due, waiting)]
        pending = a.pay_day[due] != NA_DAY
        a.pay_amount[due] = np.maximum(np.where(pending, a.pay_amount[due], 0), self.pay_amount[due])
        a.pay_day[due] = self.pay_day[due]
        # the customer's usual channel: a card payment could meet one still waiting to post and post late
        a.pay_channel[due] = a.channel[due]
        broken = np.flatnonzero(self.promise_due == t - GRACE_DAYS)
        self.promise_due[broken] = NA_DAY
        unpaid = (a.last_pay_day[broken] == NA_DAY) | (a.last_pay_day[broken] < self.promise_made[broken])
        roll = rng.random(len(broken)) < self.response.p_roll_after_broken_promise
        roll = broken[unpaid & roll & (a.status[broken] == ledger.OPEN)]
        a.pay_day[roll] = NA_DAY

    def _rows(self, rng, t, rows, channel, holder, outcome, hours) -> dict[str, np.ndarray]:
        k = len(rows)
        manual = channel in ("CALL", "VISIT", "AGENCY", "LEGAL")
        counts = self.holders.collectors[holder]
        collector = np.where(
            manual & (counts > 0),
            self.holders.first_collector[holder] + (rng.random(k) * np.maximum(counts, 1)).astype(np.int64),
            -1,
        )
        first, last = self.rules.hours  # the channel's usual hours, inside the allowed ones
        seconds = rng.integers(max(hours[0], first) * 3600, min(hours[1], last) * 3600, k)
        return {
            "rows": rows.astype(np.int64),
            "seconds": seconds,
            "channel": np.full(k, CHANNELS.index(channel)),
            "holder": holder.astype(np.int64),
            "collector": collector,
            "outcome": np.asarray(outcome, np.int64),
            "talk": np.full(k, -1),
            "promised_amount": np.zeros(k, np.int64),
            "promised_date": np.full(k, NA_DAY, np.int32),
        }

    # -- output --------------------------------------------------------------------------------------------
    def tables(self, t: int, account_ids) -> tuple[pa.Table, pa.Table]:
        """The day's actions and assignment rows; account_ids(rows) formats account ids."""
        x = self._actions
        order = np.lexsort((x["channel"], x["seconds"], x["rows"]))
        x = {k: v[order] for k, v in x.items()}
        n = len(order)
        day = np.full(n, t, np.int32)
        is_ptp = x["outcome"] == PTP
        talk = x["talk"]
        micros = (int(t) * 86_400 + x["seconds"]).astype(np.int64) * 1_000_000
        actions = table(COLLECTION_ACTIONS.columns, {
            "business_date": dates(day),
            "action_id": prefixed_ids("CA", yyyymmdd(day) * 10**7 + np.arange(1, n + 1), 15),
            "account_id": account_ids.take(x["rows"]),
            "action_ts": pa.array(micros, type=pa.int64()).cast(pa.timestamp("us")),
            "channel": categories(list(CHANNELS), x["channel"]),
            "holder_id": categories(self.holders.ids, x["holder"]),
            "collector_id": categories(
                [*self.holders.collector_ids, None],
                np.where(x["collector"] < 0, len(self.holders.collector_ids), x["collector"]),
            ),
            "outcome": categories(list(OUTCOMES), x["outcome"]),
            "talk_seconds": pa.array(talk.astype(np.int32), type=pa.int32(), mask=talk < 0),
            "promised_amount": money(x["promised_amount"], is_ptp),
            "promised_date": dates(x["promised_date"]),
        })  # fmt: skip
        s = self._assignments
        order = np.lexsort((s["assignment"],))
        s = {k: v[order] for k, v in s.items()}
        assignments = table(COLLECTION_ASSIGNMENTS.columns, {
            "business_date": dates(np.full(len(order), t, np.int32)),
            "assignment_id": prefixed_ids("AS", s["assignment"], 10),
            "account_id": account_ids.take(s["rows"]),
            "holder_id": categories(self.holders.ids, s["holder"]),
            "valid_from": dates(s["valid_from"]),
            "valid_to": dates(s["valid_to"]),
            "balance_at_placement": money(s["balance"]),
            "days_past_due_at_placement": pa.array(s["dpd"], type=pa.int32()),
            "close_reason": categories(list(CLOSE_REASONS), s["reason"]),
        })  # fmt: skip
        return actions, assignments


def _with_rest(p: tuple[float, ...]) -> tuple[float, ...]:
    return (*p, max(0.0, 1.0 - sum(p)))
