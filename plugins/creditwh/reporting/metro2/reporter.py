"""Who furnishes the Metro 2 file: the reporter settings of a deployment, checked before anything is read."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import creditwh
from creditwh.errors import PipelineError
from creditwh.reporting.metro2.spec import BASE, HEADER
from creditwh.reporting.metro2.writer import Metro2Header


class BureauReporterMissing(PipelineError):
    """Metro 2 reporter settings are missing or invalid: a placeholder must never reach a bureau."""


@dataclass(frozen=True)
class BureauReporter:
    """The header's reporter fields, the program identifiers the bureaus assigned and the identification
    number of every Base Segment. All from CREDITWH_BUREAU_<FIELD> (e.g. CREDITWH_BUREAU_REPORTER_NAME),
    with no defaults in code."""

    identification_number: str
    reporter_name: str
    reporter_address: str
    reporter_telephone_number: str
    equifax_program_identifier: str = ""
    experian_program_identifier: str = ""
    trans_union_program_identifier: str = ""
    innovis_program_identifier: str = ""

    REQUIRED = ("identification_number", "reporter_name", "reporter_address", "reporter_telephone_number")
    PROGRAMS = ("equifax_program_identifier", "experian_program_identifier", "trans_union_program_identifier",
                "innovis_program_identifier")  # fmt: skip

    @staticmethod
    def env_name(field_name: str) -> str:
        return f"CREDITWH_BUREAU_{field_name.upper()}"

    @classmethod
    def from_env(cls) -> BureauReporter:
        values = {n: os.environ.get(cls.env_name(n), "").strip() for n in cls.REQUIRED + cls.PROGRAMS}
        problems = [f"{cls.env_name(n)} is not set" for n in cls.REQUIRED if not values[n]]
        if not any(values[n] for n in cls.PROGRAMS):
            problems.append("no program identifier is set (at least one of "
                            + ", ".join(cls.env_name(n) for n in cls.PROGRAMS) + ")")  # fmt: skip
        problems += _field_problems(values)
        if problems:
            raise BureauReporterMissing(
                "Metro 2 reporter settings: " + "; ".join(problems)
                + " (docs/operations.md, 'Security'; the values come from the bureaus' furnisher agreements)"
            )
        return cls(**values)

    def header(self, period_end: dt.date) -> Metro2Header:
        return Metro2Header(
            reporter_name=self.reporter_name,
            reporter_address=self.reporter_address,
            reporter_telephone_number=self.reporter_telephone_number,
            equifax_program_identifier=self.equifax_program_identifier,
            experian_program_identifier=self.experian_program_identifier,
            trans_union_program_identifier=self.trans_union_program_identifier,
            innovis_program_identifier=self.innovis_program_identifier,
            activity_date=period_end,
            date_created=period_end,  # the run's as-of, never the wall clock: re-runs give the same bytes
            software_vendor_name="CREDITWH",
            software_version_number=creditwh.__version__,
        )


def _field_problems(values: dict[str, str]) -> list[str]:
    """Values that the Metro 2 layout cannot carry (too long; a telephone number is 10 digits)."""
    problems = []
    for name, value in values.items():
        layout = BASE if name == "identification_number" else HEADER
        if len(value) > layout.field(name).length:
            problems.append(f"{BureauReporter.env_name(name)} is {len(value)} characters, the {layout.name} "
                            f"field holds {layout.field(name).length}")  # fmt: skip
    phone = values["reporter_telephone_number"]
    if phone and not (phone.isdigit() and len(phone) == 10):
        problems.append(f"{BureauReporter.env_name('reporter_telephone_number')} must be 10 digits")
    return problems
