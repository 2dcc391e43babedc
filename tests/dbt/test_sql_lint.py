"""The dbt models lint clean with sqlfluff (the repository's .sqlfluff: lower-case keywords, trailing
commas, jaffle-shop CTE layout). The dbt templater compiles each model as a daily run does (the project's
macros, dbt's own context, a business_date var); it runs from tools/sqlfluff's own locked environment
because sqlfluff-templater-dbt's pins clash with Airflow's lock."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
LINT = REPO_ROOT / "tools" / "sqlfluff" / "lint"


def test_models_lint_clean():
    result = subprocess.run(
        [str(LINT), "dbt_project/models", "--format", "json", "--nofail"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=True,
    )
    files = json.loads(result.stdout)
    models = sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "dbt_project" / "models").rglob("*.sql"))
    # every model was rendered by dbt (a model the templater cannot compile is reported, not skipped)
    assert sorted(f["filepath"] for f in files) == models, result.stderr
    violations = [
        f"{f['filepath']}:{v['start_line_no']}:{v['start_line_pos']} {v['code']} {v['description']}"
        for f in files for v in f["violations"]
    ]
    assert violations == [], "\n".join(violations)
