"""docs/domain.md §2 on the ring arithmetic directly: boundaries, oldest-first allocation, reversals."""

import numpy as np
from creditwh.simulate import ledger

DUE = 1000  # due date of the first cycle (day number)


def one_account(mps, dues):
    k = 8
    ring_mp = np.zeros((1, k), np.int64)
    ring_due = np.full((1, k), ledger.FAR_DAY, np.int32)
    alloc, ring_sum = np.zeros(1, np.int64), np.zeros(1, np.int64)
    for mp, due in zip(mps, dues, strict=False):
        ledger.push_cycle(ring_mp, ring_due, alloc, ring_sum, np.array([0]), np.array([mp]), due)
    return ring_mp, ring_due, alloc, ring_sum


def dpd(state, t, tolerance=0):
    ring_mp, ring_due, alloc, _ = state
    d, cycles, past_due = ledger.delinquency(ring_mp, ring_due, alloc, t, tolerance)
    return int(d[0]), int(cycles[0]), int(past_due[0])


def test_missed_minimum_counts_from_the_day_after_the_due_date():
    state = one_account([5000], [DUE])
    assert dpd(state, DUE) == (0, 0, 0)
    assert dpd(state, DUE + 1) == (1, 1, 5000)
    assert dpd(state, DUE + 30) == (30, 1, 5000)


def test_oldest_first_allocation_partial_does_not_cure_full_does():
    state = one_account([5000, 3000], [DUE, DUE + 30])
    _ring_mp, _ring_due, alloc, ring_sum = state
    assert dpd(state, DUE + 31) == (31, 2, 8000)
    ledger.allocate(ring_sum, alloc, np.array([0]), np.array([4999]))  # one cent short of the oldest
    assert dpd(state, DUE + 31) == (31, 2, 3001)
    ledger.allocate(ring_sum, alloc, np.array([0]), np.array([1]))  # oldest paid: DPD from the next due date
    assert dpd(state, DUE + 31) == (1, 1, 3000)
    ledger.allocate(ring_sum, alloc, np.array([0]), np.array([3000]))
    assert dpd(state, DUE + 31) == (0, 0, 0)


def test_tolerance_is_policy():
    state = one_account([5000], [DUE])
    ledger.allocate(state[3], state[2], np.array([0]), np.array([4990]))
    assert dpd(state, DUE + 5, tolerance=0)[0] == 5
    assert dpd(state, DUE + 5, tolerance=10)[0] == 0


def test_overpayment_is_not_credited_to_future_minimums_and_reversal_reopens():
    state = one_account([5000], [DUE])
    ring_mp, ring_due, alloc, ring_sum = state
    covered = ledger.allocate(ring_sum, alloc, np.array([0]), np.array([90000]))
    assert covered[0] == 5000
    ledger.push_cycle(ring_mp, ring_due, alloc, ring_sum, np.array([0]), np.array([2000]), DUE + 30)
    assert dpd(state, DUE + 31) == (1, 1, 2000)  # the earlier overpayment did not prepay this minimum
    alloc[0] -= covered[0]  # the first payment bounces
    assert dpd(state, DUE + 31) == (31, 2, 7000)
