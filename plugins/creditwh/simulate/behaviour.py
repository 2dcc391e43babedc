"""What each customer does with a statement: decided once at the cut, as one scheduled payment (day, amount).

Current accounts pay in full, the minimum, something in between, late (after the due date, before the next
statement), too little, or nothing. Accounts already past due cure (pay all that is past due plus the new
minimum), stay (pay the oldest unpaid minimum only) or roll (pay less than that, or nothing).
"""

from __future__ import annotations

import numpy as np

from creditwh.simulate import ledger
from creditwh.simulate.arrow import NA_DAY
from creditwh.simulate.config import Segment, SimConfig

FULL, MIN, PARTIAL_OK, LATE, PARTIAL_LOW, MISS = range(6)
CURE, STAY, ROLL = range(3)


def current_outcome_table(cfg: SimConfig) -> np.ndarray:
    """(segments, 6) probabilities of the outcomes of a statement for a current account."""
    b = cfg.behaviour
    listed = np.array([b.p_full, b.p_min, b.p_partial_ok, b.p_late, b.p_partial_low], dtype=float).T
    miss = np.clip(1.0 - listed.sum(axis=1), 0.0, None)
    table = np.hstack([listed, miss[:, None]])
    return table / table.sum(axis=1, keepdims=True)


def delinquent_outcome(cfg: SimConfig, segment: np.ndarray, cycles: np.ndarray) -> np.ndarray:
    """(n, 3) probabilities of cure / stay / roll for accounts `cycles` cycles past due."""
    b = cfg.behaviour
    cure = np.asarray(b.cure_base)[segment] * b.cure_decay ** np.maximum(cycles - 1, 0)
    stay = np.minimum(b.p_stay, 1.0 - cure)
    return np.stack([cure, stay, 1.0 - cure - stay], axis=1)


def draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    u = rng.random(len(probabilities))
    return (u[:, None] >= np.cumsum(probabilities, axis=1)[:, :-1]).sum(axis=1)


def effective_segment(segment: np.ndarray, hardship: np.ndarray) -> np.ndarray:
    """Hardship plans make the payment affordable: such accounts behave like revolvers."""
    return np.where(hardship, np.minimum(segment, Segment.REVOLVER), segment)


def schedule(cfg: SimConfig, rng: np.random.Generator, acc, rows: np.ndarray, cut_day: np.ndarray,
             next_cut_day: np.ndarray, cycles_at_cut: np.ndarray) -> None:  # fmt: skip
    """Set pay_day / pay_amount / pay_channel of the rows whose statement was cut on cut_day."""
    k = len(rows)
    if k == 0:
        return
    segment = effective_segment(acc.segment[rows], acc.hardship[rows])
    sb, mp = acc.stmt_balance[rows], acc.min_due[rows]
    due = cut_day + cfg.due_days
    pay_day = np.full(k, NA_DAY, dtype=np.int64)
    amount = np.zeros(k, dtype=np.int64)
    on_time = cut_day + rng.integers(5, cfg.due_days + 1, k)
    u = rng.random(k)
    whole = 100  # people pay round amounts above the minimum

    current = cycles_at_cut == 0
    outcome = draw(rng, current_outcome_table(cfg)[segment])
    c = current & (mp > 0)
    full, minimum = c & (outcome == FULL), c & (outcome == MIN)
    partial_ok, late = c & (outcome == PARTIAL_OK), c & (outcome == LATE)
    partial_low = c & (outcome == PARTIAL_LOW)
    amount = np.where(full, sb, amount)
    amount = np.where(minimum, mp, amount)
    amount = np.where(partial_ok, mp + (u * (sb - mp) / whole).astype(np.int64) * whole, amount)
    amount = np.where(late, mp + (u * 0.5 * (sb - mp) / whole).astype(np.int64) * whole, amount)
    amount = np.where(partial_low, np.maximum((mp * (0.1 + 0.8 * u)).astype(np.int64), 1), amount)
    pay_day = np.where(full | partial_ok | partial_low, on_time, pay_day)
    pay_day = np.where(minimum, cut_day + rng.integers(12, cfg.due_days + 1, k), pay_day)
    latest = np.maximum(next_cut_day - due - 1, 1)
    pay_day = np.where(late, due + 1 + (rng.random(k) * latest).astype(np.int64), pay_day)

    d = ~current
    if d.any():
        choice = draw(rng, delinquent_outcome(cfg, segment, cycles_at_cut))
        owed = ledger.unpaid_total(acc.ring_sum[rows], acc.alloc[rows])
        oldest = ledger.oldest_unpaid(acc.ring_mp[rows], acc.alloc[rows])
        partly = np.where(
            rng.random(k) < cfg.behaviour.p_roll_partial, (oldest * (0.1 + 0.8 * u)).astype(np.int64), 0
        )
        amount = np.where(d & (choice == CURE), owed, amount)
        amount = np.where(d & (choice == STAY), oldest, amount)
        amount = np.where(d & (choice == ROLL), partly, amount)
        pay_day = np.where(d & (amount > 0), cut_day + rng.integers(3, cfg.due_days + 1, k), pay_day)

    autopay = acc.autopay[rows] & (full | minimum)
    pay_day = np.where(autopay, due, pay_day)
    pay_day = np.where(amount > 0, pay_day, NA_DAY)
    acc.pay_day[rows] = pay_day
    acc.pay_amount[rows] = amount
    acc.pay_channel[rows] = np.where(autopay, ledger.AUTOPAY, acc.channel[rows])


def minimum_payment(cfg: SimConfig, statement_balance: np.ndarray, hardship: np.ndarray) -> np.ndarray:
    """MP = min(SB, max(floor, pct * SB)), 0 for a zero or credit statement; hardship plans use lower terms."""
    pct = np.where(hardship, cfg.hardship_min_pct, cfg.min_payment_pct)
    floor = np.where(hardship, cfg.hardship_min_floor_cents, cfg.min_payment_floor_cents)
    sb = np.maximum(statement_balance, 0)
    return np.minimum(sb, np.maximum(floor, np.rint(pct * sb).astype(np.int64)))
