"""Where each rule lives: the listing policy in dbt (no Python copy), the extracts' state and sequencing
beside their writers, the task bodies thin."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_blacklist_policy_numbers_live_only_in_the_dbt_vars():
    from creditwh.reporting.blacklist import BlacklistPolicy

    variables = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    assert variables["blacklist_dpd_threshold"] == 90 and variables["blacklist_retention_years"] == 5
    assert variables["blacklist_amount_band_bounds"] == [1000, 5000, 20000, 100000]
    assert [f.name for f in dataclasses.fields(BlacklistPolicy)] == ["furnisher_id"]
    python = "\n".join(p.read_text() for p in (REPO / "plugins/creditwh/reporting/blacklist").glob("*.py"))
    for rule in ("days_past_due", "'DPD90'", "'CHARGE_OFF'", "INTERVAL", "regexp_replace"):
        assert rule not in python, rule  # reasons, expiry and id normalization are dbt's


def test_extract_task_bodies_hold_no_sql_or_state():
    source = (REPO / "plugins/creditwh/pipeline/extracts.py").read_text()
    for token in ("SELECT", "INSERT", "CREATE", "reporting.bureau_", "reporting.blacklist_", "marts."):
        assert token not in source, token
    assert "reporting.bureau_published" in (REPO / "plugins/creditwh/reporting/metro2/publication.py").read_text()
