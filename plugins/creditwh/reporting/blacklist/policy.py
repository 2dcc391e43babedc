"""Listing policy (credit-domain.md §6 defaults). No platform publishes its thresholds: all of it is
configuration, read from the environment so a deployment changes policy without a code change.

  CREDITWH_BLACKLIST_DPD_THRESHOLD   include a person when any account is at least this many DPD (90)
  CREDITWH_BLACKLIST_RETENTION_YEARS listing expires this many years after the listed date (5)
  CREDITWH_BLACKLIST_AMOUNT_BANDS    upper bounds of the amount bands, comma-separated (1000,5000,20000,100000)
  CREDITWH_BLACKLIST_FURNISHER_ID    our id on the shared platform (CREDITWH01)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# Reason codes (inclusion) and removal reasons: the platform's vocabulary, not tunable.
DPD_REASON = "DPD90"
CHARGE_OFF_REASON = "CHARGE_OFF"
FRAUD_REASON = "FRAUD_CONFIRMED"
REMOVAL_REASONS = ("PAID", "DISPUTE_UPHELD", "EXPIRED", "ERROR")
# Removal reasons an operator records in reporting.blacklist_resolutions (the others are derived).
MANUAL_REMOVAL_REASONS = ("DISPUTE_UPHELD", "ERROR")


@dataclass(frozen=True)
class BlacklistPolicy:
    dpd_threshold: int = 90
    retention_years: int = 5
    amount_bands: tuple[int, ...] = (1000, 5000, 20000, 100000)
    furnisher_id: str = "CREDITWH01"

    def __post_init__(self) -> None:
        if self.dpd_threshold < 1 or self.retention_years < 1:
            raise ValueError("blacklist policy: dpd_threshold and retention_years must be positive")
        if list(self.amount_bands) != sorted(set(self.amount_bands)) or not self.amount_bands:
            raise ValueError(
                f"blacklist policy: amount bands must increase strictly, got {self.amount_bands}"
            )

    @classmethod
    def from_env(cls) -> BlacklistPolicy:
        env = os.environ
        bands = env.get("CREDITWH_BLACKLIST_AMOUNT_BANDS")
        return cls(
            dpd_threshold=int(env.get("CREDITWH_BLACKLIST_DPD_THRESHOLD", cls.dpd_threshold)),
            retention_years=int(env.get("CREDITWH_BLACKLIST_RETENTION_YEARS", cls.retention_years)),
            amount_bands=tuple(int(b) for b in bands.split(",")) if bands else cls.amount_bands,
            furnisher_id=env.get("CREDITWH_BLACKLIST_FURNISHER_ID", cls.furnisher_id),
        )

    def amount_band_sql(self, amount_sql: str) -> str:
        """CASE expression labelling a non-negative amount: '0-1000', '1000-5000', ..., '100000+'."""
        whens, lower = [], 0
        for upper in self.amount_bands:
            whens.append(f"WHEN {amount_sql} < {upper} THEN '{lower}-{upper}'")
            lower = upper
        return f"CASE {' '.join(whens)} ELSE '{lower}+' END"
