"""The bank's fee and interest schedule: what the card platform charges, per charge type.

One home: the dbt seed dbt_project/seeds/fee_schedule.csv (documented in fee_schedule.yml beside it). The
simulated platform takes its rates and amounts from it and the raw gate's fee rules are generated from it;
edit the seed, then regenerate the expectations (``python -m creditwh.quality.project``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from creditwh.errors import PipelineError
from creditwh.seeds import SEEDS_DIR, seed_rows

SCHEDULE_CSV = SEEDS_DIR / "fee_schedule.csv"
# The basis the platform implements for each charge type, and whether it is a rate or a flat amount.
BASES = {
    "INTEREST": ("YEARLY_ON_REVOLVING_BALANCE", "rate_percent"),
    "CASH_ADVANCE_FEE": ("PERCENT_OF_ADVANCE", "rate_percent"),
    "LATE_FEE": ("PER_CYCLE_PAST_DUE", "amount"),
    "PENALTY_INTEREST": ("YEARLY_ON_AMOUNT_PAST_DUE", "rate_percent"),
    "ANNUAL_FEE": ("PER_ANNIVERSARY", "amount"),
    "INSTALMENT_FEE": ("MONTHLY_ON_PLAN_PRINCIPAL", "rate_percent"),
}


class FeeScheduleError(PipelineError):
    """The fee schedule seed does not state each charge type once, on its basis, with a value >= 0."""


@dataclass(frozen=True)
class FeeSchedule:
    values: dict[str, Decimal]  # charge type -> rate in percent, or flat amount in currency units

    def fraction(self, charge_type: str) -> float:
        """A rate as a fraction (22.00 % -> 0.22)."""
        return float(self.values[charge_type] / 100)

    def cents(self, charge_type: str) -> int:
        """A flat amount in cents."""
        return int(self.values[charge_type] * 100)

    def amount(self, charge_type: str) -> Decimal:
        return self.values[charge_type]


@cache
def fee_schedule(path: Path = SCHEDULE_CSV) -> FeeSchedule:
    rows = seed_rows(path)
    values: dict[str, Decimal] = {}
    for line, row in enumerate(rows, start=2):
        kind = (row.get("charge_type") or "").strip()
        if kind not in BASES or kind in values:
            raise FeeScheduleError(
                f"{path}, row {line}: charge_type {kind!r} is not one of {', '.join(BASES)} or is listed twice"
            )
        basis, column = BASES[kind]
        if (row.get("basis") or "").strip() != basis:
            raise FeeScheduleError(f"{path}, row {line}: the platform charges {kind} on basis {basis}, "
                                   f"not {row.get('basis')!r}")  # fmt: skip
        other = "amount" if column == "rate_percent" else "rate_percent"
        try:
            value = Decimal((row.get(column) or "").strip())
        except InvalidOperation:
            value = Decimal(-1)
        if value < 0 or (row.get(other) or "").strip():
            raise FeeScheduleError(
                f"{path}, row {line}: {kind} needs {column} >= 0 and no {other} "
                f"(got {column}={row.get(column)!r}, {other}={row.get(other)!r})"
            )
        if column == "amount" and value != value.quantize(Decimal("0.01")):
            raise FeeScheduleError(f"{path}, row {line}: {kind} amount must be in whole cents, got {value}")
        values[kind] = value
    missing = sorted(set(BASES) - set(values))
    if missing:
        raise FeeScheduleError(f"{path}: no row for {', '.join(missing)}")
    return FeeSchedule(values)
