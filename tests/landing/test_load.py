"""Loading is per business date: re-runs change nothing, restatements correct without duplicating."""

from __future__ import annotations

import duckdb
from creditwh.config import settings
from creditwh.contract import ACCOUNTS, DATASETS
from creditwh.landing.manifest import read_manifest, write_manifest
from creditwh.load import load_drop
from sim_dates import business_dates

DATA_COLUMNS = ", ".join(ACCOUNTS.columns)


def _rows(warehouse, table="accounts", columns="*"):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"select {columns} from raw.{table} order by all").fetchall()
    finally:
        con.close()


def test_raw_tables_match_manifests(data_dir):
    s = settings()
    for day in business_dates():
        load_drop(s.warehouse_path, s.drop_dir(day), day, accept=True)
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    for day in business_dates():
        manifest = read_manifest(s.drop_dir(day), day)
        for dataset in DATASETS:
            entry = manifest["files"][dataset.name]
            # a day without promises (all promised_amount NULL) totals 0.00, as the manifest states it
            sums = "".join(f", coalesce(sum({c}), 0)::varchar" for c in dataset.control_totals)
            row = con.execute(
                f"select count(*){sums}, count(distinct _batch_id), any_value(_file_sha256) "
                f"from raw.{dataset.name} where business_date = ?",
                [day],
            ).fetchone()
            assert row[0] == entry["records"]
            for column, value in zip(dataset.control_totals, row[1:], strict=False):
                assert value == entry["control_totals"][column], (day, dataset.name, column)
            if entry["records"]:  # a day can carry no customer changes: then there is no row to tag
                assert row[-2] == 1 and row[-1] == entry["sha256"]
    assert con.execute("select count(*) from raw.load_batches").fetchone()[0] == len(business_dates())


def test_rerunning_a_date_changes_nothing(data_dir):
    s = settings()
    for day in business_dates(2):
        load_drop(s.warehouse_path, s.drop_dir(day), day, accept=True)
    before = {d.name: _rows(s.warehouse_path, d.name, "* exclude (_loaded_at)") for d in DATASETS}
    result = load_drop(s.warehouse_path, s.drop_dir(business_dates()[1]), business_dates()[1], accept=True)
    assert result.replaced["accounts"] > 0
    after = {d.name: _rows(s.warehouse_path, d.name, "* exclude (_loaded_at)") for d in DATASETS}
    assert after == before


def test_restated_day_corrects_and_never_duplicates(data_dir):
    s = settings()
    day1, day2 = business_dates(2)
    for day in (day1, day2):
        load_drop(s.warehouse_path, s.drop_dir(day), day, accept=True)
    # The platform re-delivers day 1 with one balance corrected.
    drop = s.drop_dir(day1)
    path = drop / ACCOUNTS.file_name(day1)
    tmp = path.with_suffix(".tmp")
    duckdb.sql(
        f"copy (select * replace (case when row_number() over () = 1 then (current_balance + 100)::decimal(18,2) "
        f"else current_balance end as current_balance) from read_parquet('{path}')) to '{tmp}' (format parquet)"
    )
    tmp.replace(path)
    write_manifest(drop, day1, "cardsim-restated")
    load_drop(s.warehouse_path, drop, day1, accept=True)

    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    counts = dict(con.execute("select business_date, count(*) from raw.accounts group by 1").fetchall())
    distinct = con.execute("select count(*) from (select distinct business_date, account_id from raw.accounts)")
    assert sum(counts.values()) == distinct.fetchone()[0]
    restated = con.execute(
        "select sum(current_balance)::varchar from raw.accounts where business_date = ?", [day1]
    ).fetchone()[0]
    assert restated == read_manifest(drop, day1)["files"]["accounts"]["control_totals"]["current_balance"]
    source = con.execute("select source_system from raw.load_batches where business_date = ?", [day1]).fetchone()
    assert source == ("cardsim-restated",)
