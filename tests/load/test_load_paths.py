"""The loader binds the Parquet file's path as a parameter: a data directory whose name holds SQL quotes
loads like any other (a path spliced into the SQL text would break the statement, or change it)."""

from __future__ import annotations

import shutil

import duckdb
from creditwh.config import Settings
from creditwh.contract import DATASETS
from creditwh.landing.manifest import read_manifest
from creditwh.load import load_drop
from sim_dates import business_dates


def test_a_data_directory_with_quotes_in_its_name_loads(tmp_path, small_landing):
    s = Settings(data_dir=tmp_path / "ops' data'); drop table raw.accounts; --")
    shutil.copytree(small_landing, s.landing_dir)
    (day,) = business_dates(1)
    load_drop(s.warehouse_path, s.drop_dir(day), day, accept=True)
    manifest = read_manifest(s.drop_dir(day), day)
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        for dataset in DATASETS:
            rows = con.execute(f"select count(*), any_value(_source_file) from raw.{dataset.name}").fetchone()
            assert rows[0] == manifest["files"][dataset.name]["records"]
            assert rows[1] in (None, str(s.drop_dir(day) / dataset.file_name(day)))
    finally:
        con.close()
