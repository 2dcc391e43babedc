"""Fixtures: the synthetic base/J1 input loaded in DuckDB and the writer's output for it."""

from __future__ import annotations

import duckdb
import pytest
from creditwh.reporting.metro2 import write_metro2
from metro2_samples import HEADER, SAMPLE_ACCOUNTS, SAMPLE_J1, load_base, load_j1


@pytest.fixture
def con():
    c = duckdb.connect()
    c.execute("SET enable_progress_bar = false")
    load_base(c, "base_accounts", SAMPLE_ACCOUNTS)
    load_j1(c, "j1_consumers", SAMPLE_J1)
    yield c
    c.close()


@pytest.fixture
def written(con, tmp_path):
    return write_metro2(con, "base_accounts", "j1_consumers", HEADER, tmp_path / "metro2.dat")
