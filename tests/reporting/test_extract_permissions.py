"""The extracts' task bodies publish private files: owner only, or the shared group (see tests/test_security.py)."""

from __future__ import annotations

import grp
import os
import stat
import sys

import pytest
from test_security import _run, _too_open

pytestmark = pytest.mark.slow

PUBLISH_TASKS = """import datetime as dt
from creditwh.config import settings
from creditwh.pipeline.extracts import publish_blacklist, publish_bureau, publish_pboc
publish_blacklist(dt.date(2026, 2, 26), settings())
publish_bureau(dt.date(2026, 1, 31), settings())
publish_pboc(dt.date(2026, 1, 31), settings())
"""


def test_the_extract_tasks_publish_private_files(extracts_data_dir):
    (extracts_data_dir / "warehouse.duckdb").chmod(
        0o644
    )  # a warehouse created before this release is tightened too
    _run([sys.executable, "-c", PUBLISH_TASKS], extracts_data_dir)
    outbox = extracts_data_dir / "outbox"
    assert len(list(outbox.glob("*/*/*.manifest.json"))) == 4  # blacklist delta + snapshot, Metro 2, PBOC
    assert _too_open(extracts_data_dir, 0) == []


def _other_group() -> grp.struct_group:
    """A group this user may give files to, other than its primary group when there is one."""
    others = [g for g in os.getgroups() if g != os.getgid()]
    if not others and os.geteuid() == 0:
        others = [g.gr_gid for g in grp.getgrall() if g.gr_gid != 0][:1]
    return grp.getgrgid(others[0] if others else os.getgid())


def test_a_shared_group_may_read_and_nobody_else(extracts_data_dir):
    group = _other_group()
    _run([sys.executable, "-c", PUBLISH_TASKS], extracts_data_dir, CREDITWH_SHARED_GROUP=group.gr_name)
    assert stat.S_IMODE(extracts_data_dir.stat().st_mode) == 0o2770
    assert extracts_data_dir.stat().st_gid == group.gr_gid
    created = list((extracts_data_dir / "outbox").rglob("*"))
    assert created and all(p.stat().st_gid == group.gr_gid for p in created)  # inherited: set-group-id
    assert _too_open(extracts_data_dir, 0o070) == []  # group bits allowed, "others" none
    modes = {stat.S_IMODE(p.stat().st_mode) for p in created if p.is_file()}
    assert modes == {0o660}
