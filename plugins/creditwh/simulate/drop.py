"""Writing a day's snapshot as a landing drop: one Parquet file per dataset, then the manifest that marks it complete."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from creditwh.contract import (
    ACCOUNTS,
    CHARGES,
    COLLECTION_ACTIONS,
    COLLECTION_ASSIGNMENTS,
    CUSTOMERS,
    PAYMENTS,
    REPAYMENT_PLANS,
)
from creditwh.landing.manifest import write_manifest
from creditwh.simulate.config import SimConfig
from creditwh.simulate.engine import CardPlatform, DaySnapshot

SOURCE_SYSTEM = "cardsim"


def _write_parquet(tbl: pa.Table, path: Path) -> None:
    """Write atomically; fixed options and no timestamps in the metadata, so the bytes depend on the data only."""
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(tbl, tmp, compression="zstd", row_group_size=1 << 20, write_statistics=True)
    os.replace(tmp, path)


def write_drop(snap: DaySnapshot, landing_dir: Path | str, source_system: str = SOURCE_SYSTEM) -> Path:
    """Write landing_dir/YYYY-MM-DD/<dataset>_YYYYMMDD.parquet and the manifest; return the dir."""
    drop_dir = Path(landing_dir) / f"{snap.business_date:%Y-%m-%d}"
    drop_dir.mkdir(parents=True, exist_ok=True)
    files = (
        (ACCOUNTS, snap.accounts),
        (PAYMENTS, snap.payments),
        (CUSTOMERS, snap.customers),
        (COLLECTION_ACTIONS, snap.collection_actions),
        (COLLECTION_ASSIGNMENTS, snap.collection_assignments),
        (REPAYMENT_PLANS, snap.repayment_plans),
        (CHARGES, snap.charges),
    )
    for dataset, tbl in files:
        _write_parquet(tbl, drop_dir / dataset.file_name(snap.business_date))
    write_manifest(drop_dir, snap.business_date, source_system)
    return drop_dir


def simulate_to_landing(cfg: SimConfig, n_days: int, landing_dir: Path | str,
                        progress: Callable[[dt.date], None] | None = None) -> list[Path]:  # fmt: skip
    """Run the platform for n_days from cfg.start_date and write every drop; returns the drop directories."""
    platform = CardPlatform(cfg)
    drops = []
    for _ in range(n_days):
        snap = platform.step()
        drops.append(write_drop(snap, landing_dir, cfg.source_system))
        if progress is not None:
            progress(snap.business_date)
    return drops
