"""Fixtures of the PBOC tests: the extracts warehouse (tests/reporting/conftest.py) with its January and
February PBOC files published once per session (read-only: copy a file before editing it)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)


@pytest.fixture(scope="session")
def pboc_published(tmp_path_factory, extracts_warehouse) -> dict[str, Path]:
    from creditwh.config import Settings
    from creditwh.pipeline.extracts import publish_pboc

    data_dir = tmp_path_factory.mktemp("pboc") / "data"
    shutil.copytree(extracts_warehouse, data_dir)
    settings = Settings(data_dir=data_dir)
    jan, feb = publish_pboc(JAN, settings), publish_pboc(FEB, settings)
    assert jan["status"] == feb["status"] == "published", (jan, feb)
    (jan_file,), (feb_file,) = jan["files"], feb["files"]
    return {"data_dir": data_dir, "jan": Path(jan_file), "feb": Path(feb_file),
            "warehouse": settings.warehouse_path}  # fmt: skip
