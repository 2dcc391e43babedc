"""Helpers of the risk-marts tests: which models they build and the warehouse built for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

DAILY_TAIL = 3  # the last business dates are built one at a time, as the DAG does

# The risk models, and (with the leading +) everything they read: staging, core marts, seeds.
RISK_PATHS = (
    "path:models/intermediate/early_warning",
    "path:models/marts/roll_rate",
    "path:models/marts/early_warning",
    "path:models/marts/customer_risk",
)
# plus what the data tests of the ancestors read: the repayment policy seed (a test on int_accounts_classified),
# the collectors seed and the compliance mart (relationship tests on the collection seeds the queue's next
# actions read)
RISK_SELECT = ("--select", *(f"+{path}" for path in RISK_PATHS), "repayment_policy", "collectors",
               "mart_collections_compliance")  # fmt: skip


@dataclass
class RiskWarehouse:
    warehouse_path: Path
    business_dates: list[dt.date]
    backfill_seconds: float = 0.0
    daily_seconds: list[float] = field(default_factory=list)

    @property
    def daily_dates(self) -> list[dt.date]:
        return self.business_dates[-DAILY_TAIL:]
