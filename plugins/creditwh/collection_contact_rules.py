"""The bank's contact rules for collections: allowed local hours and caps on call attempts per account.

One home: the dbt seeds dbt_project/seeds/collection_contact_rules.csv and collection_call_attempt_channels.csv
(documented in collection_contact_rules.yml beside them). The simulated platform keeps these rules and the
compliance mart (mart_collections_compliance) lists every action that breaks one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from creditwh.seeds import SEEDS_DIR, seed_rows


@dataclass(frozen=True)
class CallCap:
    """At most max_attempts call attempts per account in any window_days consecutive days (1 = per day)."""

    rule_id: str
    max_attempts: int
    window_days: int


@dataclass(frozen=True)
class ContactRules:
    allowed_from: dt.time  # inclusive
    allowed_to: dt.time  # exclusive
    caps: tuple[CallCap, ...]
    call_channels: tuple[str, ...]

    @property
    def hours(self) -> tuple[int, int]:
        """The whole hours [first, last) inside the allowed local hours."""
        first = self.allowed_from.hour + (self.allowed_from.minute > 0 or self.allowed_from.second > 0)
        return first, self.allowed_to.hour

    @property
    def longest_window_days(self) -> int:
        return max(cap.window_days for cap in self.caps)


@cache
def contact_rules(seeds: Path = SEEDS_DIR) -> ContactRules:
    path = seeds / "collection_contact_rules.csv"
    rules = seed_rows(path)
    hours = [r for r in rules if r["rule_type"] == "HOURS"]
    if len(hours) != 1:
        raise ValueError(f"{path}: expected exactly one HOURS rule, found {len(hours)}")
    caps = tuple(
        CallCap(r["rule_id"], int(r["max_attempts"]), int(r["window_days"]))
        for r in rules
        if r["rule_type"] == "FREQUENCY"
    )
    channels = tuple(r["channel"] for r in seed_rows(seeds / "collection_call_attempt_channels.csv"))
    return ContactRules(
        dt.time.fromisoformat(hours[0]["allowed_from"]),
        dt.time.fromisoformat(hours[0]["allowed_to"]),
        caps,
        channels,
    )
