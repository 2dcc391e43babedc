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


# raw.load_batches as warehouses loaded before the collections datasets joined the contract created it
OLD_LOAD_BATCHES = """
create table raw.load_batches (
    batch_id varchar not null, business_date date primary key, source_system varchar not null,
    manifest_sha256 varchar not null, manifest varchar not null, loaded_at timestamp not null,
    accounts_records bigint not null, payments_records bigint not null, customers_records bigint not null,
    status varchar not null default 'pending', accepted_at timestamp
)
"""


def test_a_warehouse_from_before_the_collections_datasets_loads_them(tmp_path, small_landing):
    """The load upgrades raw.load_batches (and its raw_prior mirror) with a record count per new dataset;
    the earlier day keeps 0 for them (delivered none), and a re-load of that day sets its rows aside."""
    s = Settings(data_dir=tmp_path)
    shutil.copytree(small_landing, s.landing_dir)
    day1, day2 = business_dates(2)
    s.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(s.warehouse_path))
    con.execute("create schema raw")
    con.execute(OLD_LOAD_BATCHES)
    con.execute("create schema raw_prior")
    con.execute("create table raw_prior.load_batches as select * from raw.load_batches limit 0")
    con.execute(
        "insert into raw.load_batches values ('old', ?, 'cardsim', 'x', '{}', current_timestamp, 0, 0, 0, "
        "'accepted', current_timestamp)",
        [day1],
    )
    con.close()
    load_drop(s.warehouse_path, s.drop_dir(day2), day2, accept=True)
    load_drop(s.warehouse_path, s.drop_dir(day2), day2, accept=True)  # again: the day's rows set aside
    manifest = read_manifest(s.drop_dir(day2), day2)
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        counts = [f"{d.name}_records" for d in DATASETS]
        rows = {
            r[0]: r[1:]
            for r in con.execute(f"select business_date, {', '.join(counts)} from raw.load_batches").fetchall()
        }
        assert rows[day1][3:] == (0,) * (len(DATASETS) - 3)  # the collections, plan and charge datasets
        assert rows[day2] == tuple(manifest["files"][d.name]["records"] for d in DATASETS)
        assert rows[day2][3] > 0
        prior = {r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw_prior' "
            "and table_name = 'load_batches'"
        ).fetchall()}  # fmt: skip
        assert set(counts) <= prior
    finally:
        con.close()
