"""The bank's tolerance and grace period (seed repayment_policy, docs/domain.md §2) hold on a whole simulated
book: nobody is past due for an amount at or under the tolerance, and DPD never shows a grace day."""

import numpy as np
import pyarrow.compute as pc
from creditwh.repayment_policy import repayment_policy
from creditwh.simulate import SimConfig

from .conftest import START, run


def _policy_breaches(snaps, tolerance_cents: int, grace: int) -> tuple[int, int]:
    """(account-days past due for 0 < amount <= tolerance, account-days with DPD in 1..grace)."""
    small = in_grace = 0
    for snap in snaps:
        dpd = snap.accounts["days_past_due"].to_numpy(zero_copy_only=False)
        cents = pc.multiply(snap.accounts["amount_past_due"], 100).to_numpy(zero_copy_only=False).astype(np.int64)
        small += int(((dpd > 0) & (cents > 0) & (cents <= tolerance_cents)).sum())
        in_grace += int(((dpd >= 1) & (dpd <= grace)).sum())
    return small, in_grace


def test_book_honours_tolerance_and_grace(book_45_days):
    policy = repayment_policy()
    assert _policy_breaches(book_45_days, policy.tolerance_cents, policy.grace_days) == (0, 0)
    dpd = np.concatenate([s.accounts["days_past_due"].to_numpy(zero_copy_only=False) for s in book_45_days])
    assert (dpd == policy.grace_days + 1).any()  # the book does go past due


def test_without_the_policy_the_same_book_breaks_it():
    """Control: the same seed with no tolerance and no grace has both kinds of account-days the policy
    removes, so the check above can fail."""
    policy = repayment_policy()
    cfg = SimConfig(n_accounts=3000, start_date=START, seed=7, dpd_tolerance_cents=0, grace_days=0)
    small, in_grace = _policy_breaches(run(cfg, 45)[1], policy.tolerance_cents, policy.grace_days)
    assert small > 0 and in_grace > 0
