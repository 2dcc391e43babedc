"""What the publication needs besides the candidates: our furnisher id on the shared platform.

The listing policy itself (DPD threshold, amount bands, retention years) is a business rule and lives in
dbt: the vars blacklist_* in dbt_project/dbt_project.yml, applied by the model rpt_blacklist_candidates.
Python holds no copy of those numbers.

  CREDITWH_BLACKLIST_FURNISHER_ID    our id on the shared platform: required, no default (a placeholder id
                                     would publish records nobody can attribute)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from creditwh.errors import PipelineError

CANDIDATES = "restricted.rpt_blacklist_candidates"
FURNISHER_ENV = "CREDITWH_BLACKLIST_FURNISHER_ID"


FURNISHER_ID = re.compile(r"[A-Z0-9]{4,20}")


class BlacklistFurnisherMissing(PipelineError):
    """Our id on the shared platform is not configured (or malformed): nothing can be published."""


@dataclass(frozen=True)
class BlacklistPolicy:
    furnisher_id: str

    @classmethod
    def from_env(cls) -> BlacklistPolicy:
        value = os.environ.get(FURNISHER_ENV, "")
        if not FURNISHER_ID.fullmatch(value):
            raise BlacklistFurnisherMissing(
                f"{FURNISHER_ENV} is {'not set' if not value else 'malformed'}: set it to the furnisher id the "
                "shared blacklist platform issued (4-20 upper-case letters or digits; there is no default)"
            )
        return cls(furnisher_id=value)
