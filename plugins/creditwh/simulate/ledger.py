"""Account state and the delinquency arithmetic (docs/domain.md §2), vectorized over accounts.

Each account keeps its last K statement cycles in a ring, oldest first: the cycle's own minimum payment
(ring_mp, cents) and its due date (ring_due, day number). Payments are allocated oldest-first, so instead of a
per-cycle "paid" column one number suffices: ``alloc``, the part of all payments credited to the minimums in the
ring. Cycle j is then paid up to ``clip(cumsum(mp)_j - alloc, 0, mp_j)`` short of its minimum.

The bank's policy (seed repayment_policy): a minimum is overdue once its grace has run out
(due_j + grace < t); the overdue minimums count as paid when their unpaid total is at or under the tolerance:

    overdue(t)  = {j : due_j + grace < t, unpaid_j > 0}
    past_due    = sum{unpaid_j : j in overdue}, or 0 when that sum <= tolerance
    DPD(t)      = t - min{due_j : j in overdue}  while past_due > 0, else 0
    cycles(t)   = #overdue                        while past_due > 0, else 0

DPD counts from the original due date, so it goes 0 -> grace + 1 when the grace runs out unpaid. A tolerated
amount is waived as a minimum (credited to alloc, never to the balance, so it rolls into the next statement):
it cannot add up with later small amounts into a delinquency dated from a due date already passed.

A payment adds min(amount, unpaid total) to alloc; a reversal subtracts what its payment added, which
re-opens the newest paid minimums (the oldest-first allocation of the payments that remain).
"""

from __future__ import annotations

import numpy as np

from creditwh.simulate.arrow import NA_DAY

FAR_DAY = np.iinfo(np.int32).max  # due date of an empty ring slot: never passed

OPEN, CLOSED, CHARGED_OFF, TRANSFERRED = 0, 1, 2, 3
STATUSES = ["OPEN", "CLOSED", "CHARGED_OFF", "TRANSFERRED"]
NO_REASON, CUSTOMER_REQUEST, PAID_OFF, INACTIVITY, FRAUD, DPD_THRESHOLD, SOLD = range(7)
REASONS = [None, "CUSTOMER_REQUEST", "PAID_OFF", "INACTIVITY", "FRAUD", "DPD_THRESHOLD", "SOLD"]
NO_FEE_RETURN, FEE_WAIVED, FEE_REVERSED = 0, 1, 2
CHANNELS = ["AUTOPAY", "ACH", "CARD", "BRANCH", "MAIL"]  # MAIL: a cheque sent by post
AUTOPAY, ACH, CARD, BRANCH, MAIL = range(5)


def account_fields(ring_cycles: int) -> dict[str, tuple]:
    money, day = np.int64, np.int32
    return {
        "customer": (np.int64, 0),
        "joint": (np.int64, -1),
        "product": (np.int8, 0),
        "branch": (np.int16, 0),
        "open_day": (day, NA_DAY),
        "cycle_day": (np.int8, 1),
        "segment": (np.int8, 0),
        "inactive": (np.bool_, False),
        "autopay": (np.bool_, False),
        "channel": (np.int8, ACH),  # preferred channel when not on autopay
        "status": (np.int8, OPEN),
        "reason": (np.int8, NO_REASON),
        "gone": (np.bool_, False),  # left the book: absent from later snapshots
        "closed_day": (day, NA_DAY),
        "charge_off_day": (day, NA_DAY),
        "charge_off_amount": (money, 0),
        "credit_limit": (money, 0),
        "balance": (money, 0),
        "last_stmt_day": (day, NA_DAY),
        "stmt_balance": (money, 0),
        "min_due": (money, 0),
        "due_day": (day, NA_DAY),
        "stmt_interest": (money, 0),  # posted at the last statement cut
        "stmt_fees": (money, 0),
        "ctd_purchase": (money, 0),
        "ctd_cash": (money, 0),
        "ctd_cash_count": (np.int32, 0),
        "ctd_payment": (money, 0),
        "last_pay_day": (day, NA_DAY),
        "last_pay_amount": (money, 0),
        "alloc": (money, 0),
        "ring_sum": (money, 0),  # sum of ring_mp
        "ring_mp": (money, 0, ring_cycles),
        "ring_due": (day, FAR_DAY, ring_cycles),
        "dpd": (np.int32, 0),  # counters as of the end of the last simulated day
        "cycles_past_due": (np.int32, 0),
        "amount_past_due": (money, 0),
        "pay_day": (day, NA_DAY),  # the payment this cycle's behaviour scheduled
        "pay_amount": (money, 0),
        "pay_channel": (np.int8, ACH),
        "rev_day": (day, NA_DAY),  # a payment that will bounce on rev_day
        "rev_amount": (money, 0),
        "rev_alloc": (money, 0),
        "rev_of_day": (day, NA_DAY),
        "rev_of_seq": (np.int32, 0),
        "fraud": (np.bool_, False),
        "fraud_resolve_day": (day, NA_DAY),
        "fraud_charge_off": (np.bool_, False),
        "hardship": (np.bool_, False),
        "closing": (np.bool_, False),  # the customer asked to close: card blocked until the balance is paid
        "dispute": (np.bool_, False),
        # repayment plans (creditwh.simulate.plans)
        "plan": (np.int64, -1),  # the account's active plan (row of the plans store), -1 for none
        # STOP re-age: the ring's slots from the end that are not frozen (the cycles not yet overdue when the
        # hardship plan started, and every cycle cut since); -1 when nothing is frozen
        "unfrozen_tail": (np.int8, -1),
        "reage_pending": (np.bool_, False),  # RESET re-age: at the plan's first payment
        "fee_day": (day, NA_DAY),  # the last late fee: day posted, its number that day, amount
        "fee_seq": (np.int32, 0),
        "fee_amount": (money, 0),
        "fee_return": (np.int8, NO_FEE_RETURN),  # to post at the next cut: FEE_WAIVED / FEE_REVERSED
        "fee_return_plan": (np.int64, -1),  # the plan waiving it
    }


def delinquency(ring_mp: np.ndarray, ring_due: np.ndarray, alloc: np.ndarray, today: int, tolerance: int,
                grace: int):  # fmt: skip
    """(dpd, cycles past due, amount past due, tolerated) of each row, per the module docstring; tolerated is
    the overdue amount that counts as paid, to be credited to alloc."""
    unpaid, overdue = overdue_slots(ring_mp, ring_due, alloc, today, grace)
    owed = np.where(overdue, unpaid, 0).sum(axis=1)
    late = owed > tolerance
    oldest = np.where(overdue & late[:, None], ring_due, FAR_DAY).min(axis=1)
    dpd = np.where(late, today - oldest.astype(np.int64), 0).astype(np.int32)
    cycles = np.where(late, overdue.sum(axis=1), 0).astype(np.int32)
    return dpd, cycles, np.where(late, owed, 0), np.where(late, 0, owed)


def overdue_slots(ring_mp: np.ndarray, ring_due: np.ndarray, alloc: np.ndarray, today: int, grace: int):
    """(unpaid cents, past its grace and unpaid) of each ring slot."""
    unpaid = np.minimum(np.clip(np.cumsum(ring_mp, axis=1) - alloc[:, None], 0, None), ring_mp)
    return unpaid, (ring_due < today - grace) & (unpaid > 0)


def overdue_unpaid(ring_mp: np.ndarray, ring_due: np.ndarray, alloc: np.ndarray, today: int) -> np.ndarray:
    """Unpaid part of the minimums whose due date has passed (a re-age credits it to alloc)."""
    unpaid = np.minimum(np.clip(np.cumsum(ring_mp, axis=1) - alloc[:, None], 0, None), ring_mp)
    return np.where(ring_due < today, unpaid, 0).sum(axis=1)


def unpaid_total(ring_sum: np.ndarray, alloc: np.ndarray) -> np.ndarray:
    return np.maximum(ring_sum - alloc, 0)


def oldest_unpaid(ring_mp: np.ndarray, alloc: np.ndarray) -> np.ndarray:
    """Unpaid part of the oldest cycle that is not fully paid (what pays one cycle off, oldest-first)."""
    unpaid = np.minimum(np.clip(np.cumsum(ring_mp, axis=1) - alloc[:, None], 0, None), ring_mp)
    first = np.argmax(unpaid > 0, axis=1)
    return unpaid[np.arange(len(unpaid)), first]


def push_cycle(ring_mp: np.ndarray, ring_due: np.ndarray, alloc: np.ndarray, ring_sum: np.ndarray,
               rows: np.ndarray, mp: np.ndarray, due: int | np.ndarray) -> None:  # fmt: skip
    """Append a statement cycle to the rows' rings; the oldest slot drops out (paid by then, or charged off)."""
    dropped = ring_mp[rows, 0]
    alloc[rows] = np.maximum(alloc[rows] - dropped, 0)
    ring_sum[rows] += mp - dropped
    ring_mp[rows, :-1] = ring_mp[rows, 1:]
    ring_due[rows, :-1] = ring_due[rows, 1:]
    ring_mp[rows, -1] = mp
    ring_due[rows, -1] = due


def allocate(ring_sum: np.ndarray, alloc: np.ndarray, rows: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Credit payments to the unpaid minimums oldest-first; returns the part each payment covered."""
    covered = np.minimum(amount, unpaid_total(ring_sum[rows], alloc[rows]))
    alloc[rows] += covered
    return covered
