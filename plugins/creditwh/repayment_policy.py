"""The bank's repayment policy (docs/domain.md §2): small-amount tolerance and grace period.

One home: the dbt seed dbt_project/seeds/repayment_policy.csv (documented in repayment_policy.yml beside it).
The simulated platform takes its defaults from it and the raw gate's rules are generated from it, so the
platform's DPD and the warehouse's checks follow the same numbers; edit the seed, then regenerate the
expectations (``python -m creditwh.quality.project``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from creditwh.errors import PipelineError
from creditwh.seeds import SEEDS_DIR, seed_rows

POLICY_CSV = SEEDS_DIR / "repayment_policy.csv"


class RepaymentPolicyError(PipelineError):
    """The policy seed is not one row of a non-negative amount in cents and a whole number of days."""


@dataclass(frozen=True)
class RepaymentPolicy:
    tolerance_cents: int  # an unpaid minimum past its grace, in total at or under this, counts as paid
    grace_days: int  # days after the due date during which a payment still counts as on time

    @property
    def tolerance_amount(self) -> Decimal:
        return (Decimal(self.tolerance_cents) / 100).quantize(Decimal("0.01"))


@cache
def repayment_policy(path: Path = POLICY_CSV) -> RepaymentPolicy:
    rows = seed_rows(path)
    if len(rows) != 1:
        raise RepaymentPolicyError(f"{path}: expected exactly one policy row, found {len(rows)}")
    row = rows[0]
    try:
        amount = Decimal(row["tolerance_amount"].strip())
        grace = int(row["grace_days"].strip())
    except (KeyError, AttributeError, InvalidOperation, ValueError) as e:
        raise RepaymentPolicyError(
            f"{path}, row 2: tolerance_amount must be a decimal and grace_days a whole number ({e!r})"
        ) from None
    if amount < 0 or grace < 0 or amount != amount.quantize(Decimal("0.01")):
        raise RepaymentPolicyError(
            f"{path}, row 2: tolerance_amount must be >= 0 in whole cents and grace_days >= 0 "
            f"(got {row['tolerance_amount']!r}, {row['grace_days']!r})"
        )
    return RepaymentPolicy(tolerance_cents=int(amount * 100), grace_days=grace)
