"""The bank's policy seeds (dbt_project/seeds/): where they live and how Python reads one.

dbt loads these files into the warehouse; the simulator and the gates read the same files through here, so a
seed stays the one home of its rule.
"""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"


def seed_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a seed CSV as dicts of text, header = keys (as dbt reads the file)."""
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))
