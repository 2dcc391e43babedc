"""docs/domain.md §2 on the ring arithmetic directly: boundaries, oldest-first allocation, reversals, and the
bank's tolerance and grace period (seed repayment_policy) at their edges."""

import numpy as np
import pytest
from creditwh.repayment_policy import repayment_policy
from creditwh.simulate import SimConfig, ledger

DUE = 1000  # due date of the first cycle (day number)


def one_account(mps, dues):
    k = 8
    ring_mp = np.zeros((1, k), np.int64)
    ring_due = np.full((1, k), ledger.FAR_DAY, np.int32)
    alloc, ring_sum = np.zeros(1, np.int64), np.zeros(1, np.int64)
    for mp, due in zip(mps, dues, strict=False):
        ledger.push_cycle(ring_mp, ring_due, alloc, ring_sum, np.array([0]), np.array([mp]), due)
    return ring_mp, ring_due, alloc, ring_sum


def dpd(state, t, tolerance=0, grace=0):
    """(DPD, cycles, amount past due) at the end of day t; a tolerated amount is credited, as the engine does."""
    ring_mp, ring_due, alloc, _ = state
    d, cycles, past_due, tolerated = ledger.delinquency(ring_mp, ring_due, alloc, t, tolerance, grace)
    alloc += tolerated
    return int(d[0]), int(cycles[0]), int(past_due[0])


def pay(state, cents):
    ledger.allocate(state[3], state[2], np.array([0]), np.array([cents]))


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


@pytest.fixture(scope="module")
def policy():
    p = repayment_policy()
    assert p.tolerance_cents > 0 and p.grace_days > 0  # the boundaries below need a real tolerance and grace
    return p


def test_simulator_defaults_are_the_policy_seed(policy):
    cfg = SimConfig()
    assert (cfg.dpd_tolerance_cents, cfg.grace_days) == (policy.tolerance_cents, policy.grace_days)


@pytest.mark.parametrize("short", [0, 1])  # unpaid = tolerance (paid in full), tolerance + 0.01 (delinquent)
def test_tolerance_boundary(policy, short):
    tol, grace = policy.tolerance_cents, policy.grace_days
    state = one_account([5000], [DUE])
    pay(state, 5000 - tol - short)
    first_late = DUE + grace + 1
    if short:
        assert dpd(state, first_late, tol, grace) == (grace + 1, 1, tol + 1)
    else:
        assert dpd(state, first_late, tol, grace) == (0, 0, 0)
        assert ledger.unpaid_total(state[3], state[2])[0] == 0  # the minimum counts as paid ...
        # ... so a later missed minimum is dated from its own due date, not from this one
        ledger.push_cycle(*state[:2], state[2], state[3], np.array([0]), np.array([3000]), DUE + 30)
        assert dpd(state, DUE + 30 + grace + 1, tol, grace) == (grace + 1, 1, 3000)


def test_tolerance_applies_to_the_total_overdue_not_each_cycle(policy):
    tol, grace = policy.tolerance_cents, policy.grace_days
    state = one_account([5000, 5000], [DUE, DUE + 30])
    pay(state, 10_000 - tol - 1)  # the newest cycle short by tolerance + 0.01
    assert dpd(state, DUE + grace + 1, tol, grace) == (0, 0, 0)  # first paid in full, second not yet due
    assert dpd(state, DUE + 30 + grace + 1, tol, grace) == (grace + 1, 1, tol + 1)


@pytest.mark.parametrize("late", [0, 1])  # paid on due + grace (on time), or on due + grace + 1
def test_grace_boundary(policy, late):
    tol, grace = policy.tolerance_cents, policy.grace_days
    state = one_account([5000], [DUE])
    for t in range(DUE, DUE + grace + late):
        assert dpd(state, t, tol, grace) == (0, 0, 0)  # no delinquency during the grace days
    paid_on = DUE + grace + late
    if late:
        assert dpd(state, paid_on, tol, grace) == (grace + 1, 1, 5000)  # counted from the original due date
    pay(state, 5000)
    assert dpd(state, paid_on, tol, grace) == (0, 0, 0)
    assert dpd(state, paid_on + 40, tol, grace) == (0, 0, 0)


def test_dpd_after_the_grace_grows_from_the_original_due_date(policy):
    tol, grace = policy.tolerance_cents, policy.grace_days
    state = one_account([5000, 4000], [DUE, DUE + 30])
    assert dpd(state, DUE + 30, tol, grace) == (30, 1, 5000)
    assert dpd(state, DUE + 30 + grace, tol, grace) == (30 + grace, 1, 5000)  # the second is in its grace
    assert dpd(state, DUE + 31 + grace, tol, grace) == (31 + grace, 2, 9000)


def test_overpayment_is_not_credited_to_future_minimums_and_reversal_reopens():
    state = one_account([5000], [DUE])
    ring_mp, ring_due, alloc, ring_sum = state
    covered = ledger.allocate(ring_sum, alloc, np.array([0]), np.array([90000]))
    assert covered[0] == 5000
    ledger.push_cycle(ring_mp, ring_due, alloc, ring_sum, np.array([0]), np.array([2000]), DUE + 30)
    assert dpd(state, DUE + 31) == (1, 1, 2000)  # the earlier overpayment did not prepay this minimum
    alloc[0] -= covered[0]  # the first payment bounces
    assert dpd(state, DUE + 31) == (31, 2, 7000)
