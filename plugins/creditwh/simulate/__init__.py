"""The simulated card platform: a seasoned, vectorized card book that emits one landing drop per day.

platform = CardPlatform(SimConfig(n_accounts=5000, start_date=date(2026, 1, 1), seed=42))
snap = platform.step()          # DaySnapshot(business_date, accounts, payments, customers, collection_*)
write_drop(snap, landing_dir)   # Parquet files + manifest
"""

from creditwh.simulate.config import Behaviour, Segment, SimConfig
from creditwh.simulate.drop import simulate_to_landing, write_drop
from creditwh.simulate.engine import CardPlatform, DaySnapshot

__all__ = [
    "Behaviour",
    "CardPlatform",
    "DaySnapshot",
    "Segment",
    "SimConfig",
    "simulate_to_landing",
    "write_drop",
]
