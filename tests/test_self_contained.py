"""A clone elsewhere must work: no tracked file points at the build machine's folders or at the shared
reference material beside the checkout (what the code needs is in the repository, e.g. docs/domain.md and the
Metro 2 samples under tests/reporting/metro2/fixtures)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"/work/|\.\./shared\b|/root/|/tmp/pytest-of")


def test_no_tracked_file_points_outside_the_repository():
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(files) > 100
    hits = []
    for name in files:
        path = REPO_ROOT / name
        if path == Path(__file__).resolve() or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        hits += [f"{name}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert hits == []
