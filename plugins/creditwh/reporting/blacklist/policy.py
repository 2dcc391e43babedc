"""What the publication needs besides the candidates: our furnisher id on the shared platform.

The listing policy itself (DPD threshold, amount bands, retention years) is a business rule and lives in
dbt: the vars blacklist_* in dbt_project/dbt_project.yml, applied by the model rpt_blacklist_candidates.
Python holds no copy of those numbers.

  CREDITWH_BLACKLIST_FURNISHER_ID    our id on the shared platform (CREDITWH01)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CANDIDATES = "marts.rpt_blacklist_candidates"
FURNISHER_ENV = "CREDITWH_BLACKLIST_FURNISHER_ID"


@dataclass(frozen=True)
class BlacklistPolicy:
    furnisher_id: str = "CREDITWH01"

    @classmethod
    def from_env(cls) -> BlacklistPolicy:
        return cls(furnisher_id=os.environ.get(FURNISHER_ENV, cls.furnisher_id))
