"""PBOC reporter settings: no defaults in code; a missing or malformed code fails before anything is read."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE", "", "CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE is not set"),
        ("CREDITWH_PBOC_MANAGEMENT_ORG_CODE", "", "CREDITWH_PBOC_MANAGEMENT_ORG_CODE is not set"),
        ("CREDITWH_PBOC_MANAGEMENT_ORG_CODE", "abc<x>", "CREDITWH_PBOC_MANAGEMENT_ORG_CODE must be 1-14"),
        (
            "CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE",
            "A" * 15,
            "CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE must be 1-14",
        ),
    ],
)
def test_missing_or_invalid_codes_fail_clearly(monkeypatch, variable, value, message):
    from creditwh.reporting.pboc.reporter import PbocReporter, PbocReporterMissing

    monkeypatch.setenv("CREDITWH_PBOC_DATA_PROVIDER_ORG_CODE", "B1000000000001")
    monkeypatch.setenv("CREDITWH_PBOC_MANAGEMENT_ORG_CODE", "B1000000000002")
    assert PbocReporter.from_env().management_org_code == "B1000000000002"
    monkeypatch.setenv(variable, value)
    with pytest.raises(PbocReporterMissing, match=message):
        PbocReporter.from_env()


def test_the_task_fails_before_reading_the_warehouse(monkeypatch, tmp_path):
    import datetime as dt

    from creditwh.config import Settings
    from creditwh.pipeline.extracts import publish_pboc
    from creditwh.reporting.pboc.reporter import PbocReporterMissing

    monkeypatch.delenv("CREDITWH_PBOC_MANAGEMENT_ORG_CODE", raising=False)
    with pytest.raises(PbocReporterMissing, match="CREDITWH_PBOC_MANAGEMENT_ORG_CODE is not set"):
        publish_pboc(dt.date(2026, 1, 31), Settings(data_dir=tmp_path))
    assert not (tmp_path / "warehouse.duckdb").exists()
