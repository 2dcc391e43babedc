"""Who works delinquent accounts: the bank's collection holders (in-house teams, agencies, legal) and their
collectors.

One home: the dbt seeds dbt_project/seeds/collection_holders.csv and collectors.csv (documented in
collections.yml beside them). The simulated platform places accounts with these holders and the raw gate's
code lists are generated from them; edit the seeds, then regenerate the expectations
(``python -m creditwh.quality.project``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from creditwh.seeds import SEEDS_DIR, seed_rows


@dataclass(frozen=True)
class Holder:
    holder_id: str
    holder_type: str  # contract.HOLDER_TYPES
    stage: str  # REMINDER / EARLY / LATE / CHARGED_OFF / LEGAL
    allocation_share: float


@dataclass(frozen=True)
class Collector:
    collector_id: str
    holder_id: str


@dataclass(frozen=True)
class CollectionHolders:
    holders: tuple[Holder, ...]
    collectors: tuple[Collector, ...]

    @property
    def holder_ids(self) -> list[str]:
        return [h.holder_id for h in self.holders]

    @property
    def collector_ids(self) -> list[str]:
        return [c.collector_id for c in self.collectors]


@cache
def collection_holders(seeds: Path = SEEDS_DIR) -> CollectionHolders:
    holders = tuple(
        Holder(r["holder_id"], r["holder_type"], r["stage"], float(r["allocation_share"]))
        for r in seed_rows(seeds / "collection_holders.csv")
    )
    collectors = tuple(
        Collector(r["collector_id"], r["holder_id"]) for r in seed_rows(seeds / "collectors.csv")
    )
    return CollectionHolders(holders, collectors)
