"""Metro 2 reporter settings: no placeholders in code. Missing or unusable settings stop the bureau file before
anything is written; the configured values are what the file carries."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from creditwh.config import Settings

JAN = dt.date(2026, 1, 31)
PROGRAMS = ("EQUIFAX", "EXPERIAN", "TRANS_UNION", "INNOVIS")


def _clear(monkeypatch) -> None:
    for name in [n for n in os.environ if n.startswith("CREDITWH_BUREAU_")]:
        monkeypatch.delenv(name)


def test_missing_reporter_settings_name_every_variable_and_publish_nothing(tmp_path, monkeypatch):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2.reporter import BureauReporterMissing

    _clear(monkeypatch)
    with pytest.raises(BureauReporterMissing) as err:
        publish_bureau(JAN, Settings(data_dir=tmp_path))
    message = str(err.value)
    for name in ("IDENTIFICATION_NUMBER", "REPORTER_NAME", "REPORTER_ADDRESS", "REPORTER_TELEPHONE_NUMBER",
                 *(f"{p}_PROGRAM_IDENTIFIER" for p in PROGRAMS)):  # fmt: skip
        assert f"CREDITWH_BUREAU_{name}" in message
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "warehouse.duckdb").exists()


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("REPORTER_TELEPHONE_NUMBER", "", "CREDITWH_BUREAU_REPORTER_TELEPHONE_NUMBER is not set"),
        ("REPORTER_TELEPHONE_NUMBER", "555-0100", "must be 10 digits"),
        ("REPORTER_NAME", "N" * 41, "REPORTER_NAME is 41 characters, the header field holds 40"),
        (
            "IDENTIFICATION_NUMBER",
            "X" * 21,
            "IDENTIFICATION_NUMBER is 21 characters, the base field holds 20",
        ),
        ("EQUIFAX_PROGRAM_IDENTIFIER", "", "no program identifier is set"),
    ],
)
def test_one_bad_reporter_setting_is_named(name, value, rule, tmp_path, monkeypatch):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2.reporter import BureauReporterMissing

    monkeypatch.setenv(f"CREDITWH_BUREAU_{name}", value)  # the others come from tests/conftest.py
    with pytest.raises(BureauReporterMissing, match=rule):
        publish_bureau(JAN, Settings(data_dir=tmp_path))


@pytest.mark.slow
def test_the_file_carries_the_configured_reporter_and_identification_number(settings, monkeypatch):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2 import read_metro2

    configured = {"IDENTIFICATION_NUMBER": "FURN7788", "REPORTER_NAME": "EXAMPLE BANK CARD SERVICES",
                  "REPORTER_ADDRESS": "9 EXAMPLE ROAD", "REPORTER_TELEPHONE_NUMBER": "4155550123",
                  "EXPERIAN_PROGRAM_IDENTIFIER": "EX123", "TRANS_UNION_PROGRAM_IDENTIFIER": "TU4567"}  # fmt: skip
    for name, value in configured.items():
        monkeypatch.setenv(f"CREDITWH_BUREAU_{name}", value)
    (path,) = publish_bureau(JAN, settings)["files"]
    parsed = read_metro2(path)
    header = parsed["header"]
    assert (header["reporter_name"], header["reporter_address"], header["reporter_telephone_number"]) == (
        "EXAMPLE BANK CARD SERVICES",
        "9 EXAMPLE ROAD",
        4155550123,
    )
    assert (header["experian_program_identifier"], header["trans_union_program_identifier"]) == (
        "EX123",
        "TU4567",
    )
    assert header["equifax_program_identifier"] == "TESTEQFX01"  # from tests/conftest.py
    assert {r["base"]["identification_number"] for r in parsed["data"]} == {"FURN7788"}
