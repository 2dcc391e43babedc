"""The dbt models lint clean with sqlfluff (the repository's .sqlfluff: lower-case keywords, trailing
commas, jaffle-shop CTE layout). sqlfluff renders each model with the project's macros and a daily run's
vars (jinja templater + dbt_project/sqlfluff_context; the dbt templater's pins clash with the lock)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
SQLFLUFF = Path(sys.executable).with_name("sqlfluff")


def test_models_lint_clean():
    result = subprocess.run(
        [str(SQLFLUFF), "lint", "dbt_project/models", "--format", "json", "--processes", "2", "--nofail"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=True,
    )
    files = json.loads(result.stdout)
    assert len(files) >= 25, result.stderr
    violations = [
        f"{f['filepath']}:{v['start_line_no']}:{v['start_line_pos']} {v['code']} {v['description']}"
        for f in files for v in f["violations"]
    ]
    assert violations == [], "\n".join(violations)
