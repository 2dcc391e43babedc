"""Who submits the PBOC file: the deployment's institution codes, checked before anything is read."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import ClassVar

from creditwh.errors import PipelineError

_ORG_CODE = re.compile(r"[0-9A-Z]{1,14}")


class PbocReporterMissing(PipelineError):
    """PBOC reporter settings are missing or invalid: a placeholder must never reach the credit reference
    center."""


@dataclass(frozen=True)
class PbocReporter:
    """数据提供机构代码 (the header's DataProvOrgCode) and 业务管理机构代码 (every record's MngmtOrgCode), from
    CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE and CREDITWH_PBOC_MANAGEMENT_ORG_CODE, with no defaults in code.
    The PBOC assigns both; the format checked is this project's (1-14 upper-case letters or digits)."""

    data_provider_org_code: str
    management_org_code: str

    ENV: ClassVar[dict[str, str]] = {"data_provider_org_code": "CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE",
           "management_org_code": "CREDITWH_PBOC_MANAGEMENT_ORG_CODE"}  # fmt: skip

    @classmethod
    def from_env(cls) -> PbocReporter:
        values = {name: os.environ.get(env, "").strip() for name, env in cls.ENV.items()}
        problems = []
        for name, value in values.items():
            if not value:
                problems.append(f"{cls.ENV[name]} is not set")
            elif not _ORG_CODE.fullmatch(value):
                problems.append(f"{cls.ENV[name]} must be 1-14 upper-case letters or digits")
        if problems:
            raise PbocReporterMissing(
                "PBOC reporter settings: "
                + "; ".join(problems)
                + " (docs/operations.md, 'Security'; the codes come from the institution's PBOC registration)"
            )
        return cls(**values)
