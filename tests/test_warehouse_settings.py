"""The warehouse's memory cap: one setting, applied by creditwh.warehouse.connect and by the dbt profile."""

from __future__ import annotations

import re

import duckdb
import pytest
from creditwh import warehouse
from creditwh.config import SettingsError
from creditwh.transform.dbt import PROJECT_DIR, dbt_env


def _limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    (text,) = con.execute("select current_setting('memory_limit')").fetchone()
    number, unit = text.split()
    return int(float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}[unit])


@pytest.mark.parametrize("read_only", [False, True])
def test_a_warehouse_connection_takes_the_cap_from_the_environment(tmp_path, monkeypatch, read_only):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    monkeypatch.setenv(warehouse.MEMORY_LIMIT_ENV, "1536MiB")
    con = warehouse.connect(path, read_only=read_only)
    try:
        assert abs(_limit_bytes(con) - 1536 * 2**20) < 2**20
    finally:
        con.close()


def test_without_the_setting_the_cap_is_half_the_machine_not_duckdbs_80_percent(tmp_path, monkeypatch):
    monkeypatch.delenv(warehouse.MEMORY_LIMIT_ENV, raising=False)
    with open("/proc/meminfo") as fh:
        total = int(next(line for line in fh if line.startswith("MemTotal:")).split()[1]) * 1024
    con = warehouse.connect(tmp_path / "warehouse.duckdb")
    try:
        assert abs(_limit_bytes(con) - total / 2) < total * 0.02
    finally:
        con.close()


def test_a_bad_setting_fails_at_connect_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv(warehouse.MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(SettingsError, match=f"{warehouse.MEMORY_LIMIT_ENV}='lots'"):
        warehouse.connect(tmp_path / "warehouse.duckdb")


def test_the_dbt_profile_reads_the_same_setting_with_the_same_default(monkeypatch, tmp_path):
    profile = (PROJECT_DIR / "profiles.yml").read_text()
    (default,) = re.findall(r"env_var\('" + warehouse.MEMORY_LIMIT_ENV + r"', '([^']+)'\)", profile)
    assert default == warehouse.DEFAULT_MEMORY_LIMIT

    class _Settings:
        warehouse_path = tmp_path / "warehouse.duckdb"

    monkeypatch.setenv(warehouse.MEMORY_LIMIT_ENV, "3GB")
    assert dbt_env(_Settings())[warehouse.MEMORY_LIMIT_ENV] == "3GB"  # what the build hands the profile
