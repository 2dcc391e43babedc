"""The committed GX project under expectations/ is what the catalog generates, and runs write nothing there."""

from __future__ import annotations

import json
import subprocess

from creditwh.config import REPO_ROOT
from creditwh.quality.catalog import GATES
from creditwh.quality.project import CONTEXT_ROOT, build_project


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_committed_project_matches_the_catalog(tmp_path):
    generated = build_project(tmp_path / "expectations")
    for folder in ("expectations", "validation_definitions", "checkpoints"):
        names = sorted(p.name for p in (generated / folder).glob("*.json"))
        assert names == sorted(p.name for p in (CONTEXT_ROOT / folder).glob("*.json")), folder
        for name in names:
            fresh = _without_ids(json.loads((generated / folder / name).read_text()))
            committed = _without_ids(json.loads((CONTEXT_ROOT / folder / name).read_text()))
            assert fresh == committed, f"{folder}/{name} is stale: run python -m creditwh.quality.project"


def test_every_expectation_has_a_severity_and_a_rule():
    for gate in GATES.values():
        for check in gate.checks:
            rules = [e.meta["rule"] for e in check.expectations]
            assert len(rules) == len(set(rules)), check.suite
            assert {e.meta["severity"] for e in check.expectations} <= {"critical", "warning"}


def test_runs_leave_the_project_directory_clean(settings, dates):
    from creditwh.quality import run_raw_gate

    run_raw_gate(dates[-1], settings)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all", str(CONTEXT_ROOT)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "uncommitted" not in status and "data_docs" not in status and ".ge_store_backend_id" not in status


def test_every_batch_is_the_date_columns_value_so_duckdb_reads_that_days_row_groups(settings):
    """`date_column = <date>` lets DuckDB skip every other day's row groups; GX's daily partitioner filters on
    extract(year), extract(month), extract(day) instead, which reads the whole history once per expectation."""
    from creditwh.quality.catalog import BATCH_DEFINITION, DATASOURCE
    from creditwh.quality.project import close_context, open_context
    from great_expectations.core.partitioners import PartitionerColumnValue

    context = open_context(settings)
    try:
        datasource = context.data_sources.get(DATASOURCE)
        for gate in GATES.values():
            for check in gate.checks:
                partitioner = datasource.get_asset(check.asset).get_batch_definition(BATCH_DEFINITION).partitioner
                assert isinstance(partitioner, PartitionerColumnValue), check.suite
                assert partitioner.column_name == check.date_column, check.suite
    finally:
        close_context(context, settings.warehouse_path)
