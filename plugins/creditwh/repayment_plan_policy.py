"""The bank's repayment plan policy: the hardship re-age rule and when a plan counts as broken.

One home: the dbt seed dbt_project/seeds/repayment_plan_policy.csv (documented in repayment_plan_policy.yml
beside it). The simulated platform takes its defaults from it; edit the seed, then regenerate the
expectations (``python -m creditwh.quality.project``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from creditwh.errors import PipelineError
from creditwh.seeds import SEEDS_DIR, seed_rows

POLICY_CSV = SEEDS_DIR / "repayment_plan_policy.csv"
REAGE_RULES = ("RESET", "STOP")


class RepaymentPlanPolicyError(PipelineError):
    """The plan policy seed is not one row of a known re-age rule and a positive whole number."""


@dataclass(frozen=True)
class RepaymentPlanPolicy:
    hardship_reage: str  # RESET: DPD to 0 at the start; STOP: DPD frozen while the plan is kept
    broken_after_missed_instalments: int


@cache
def repayment_plan_policy(path: Path = POLICY_CSV) -> RepaymentPlanPolicy:
    rows = seed_rows(path)
    if len(rows) != 1:
        raise RepaymentPlanPolicyError(f"{path}: expected exactly one policy row, found {len(rows)}")
    row = rows[0]
    try:
        reage = row["hardship_reage"].strip().upper()
        missed = int(row["broken_after_missed_instalments"].strip())
    except (KeyError, AttributeError, ValueError) as e:
        raise RepaymentPlanPolicyError(
            f"{path}, row 2: hardship_reage must be text and broken_after_missed_instalments a whole number "
            f"({e!r})"
        ) from None
    if reage not in REAGE_RULES or missed < 1:
        raise RepaymentPlanPolicyError(
            f"{path}, row 2: hardship_reage must be one of {', '.join(REAGE_RULES)} and "
            f"broken_after_missed_instalments >= 1 (got {row['hardship_reage']!r}, "
            f"{row['broken_after_missed_instalments']!r})"
        )
    return RepaymentPlanPolicy(hardship_reage=reage, broken_after_missed_instalments=missed)
