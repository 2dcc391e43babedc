"""Each broken drop is rejected with the file and rule named, loads nothing, keeps the input and leaves
earlier dates untouched."""

from __future__ import annotations

import hashlib
import json
import os

import duckdb
import pytest
from creditwh.checksums import sha256_file
from creditwh.config import settings
from creditwh.contract import ACCOUNTS, PAYMENTS, manifest_name
from creditwh.errors import DropNotArrived, DropRejected
from creditwh.load import load_drop
from sim_dates import business_dates

DAY1, DAY2 = business_dates(2)


def _raw_snapshot(warehouse) -> list:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "select business_date, count(*), sum(current_balance) from raw.accounts group by all order by 1"
        ).fetchall()
    finally:
        con.close()


def _rewrite(path, sql_select: str) -> None:
    """Rewrite a Parquet file from a query over itself (aside, then rename)."""
    tmp = path.with_suffix(".tmp.parquet")
    duckdb.sql(f"copy ({sql_select.format(src=f'read_parquet({str(path)!r})')}) to '{tmp}' (format parquet)")
    os.replace(tmp, path)


def _fix_manifest(drop_dir, day, dataset, **changes) -> None:
    """Make the manifest agree with a tampered file's checksum (so a later rule is the one that fires)."""
    path = drop_dir / manifest_name(day)
    manifest = json.loads(path.read_text())
    entry = manifest["files"][dataset.name]
    entry["sha256"] = sha256_file(drop_dir / entry["file"]).sha256
    entry.update(changes)
    path.write_text(json.dumps(manifest))


def _tamper_day2_accounts(s, sql_select: str):
    """Rewrite DAY2's accounts file from a query over itself, its manifest agreeing with the new checksum;
    returns the file's path."""
    path = s.drop_dir(DAY2) / ACCOUNTS.file_name(DAY2)
    _rewrite(path, sql_select)
    _fix_manifest(s.drop_dir(DAY2), DAY2, ACCOUNTS)
    return path


@pytest.fixture
def loaded_day1(data_dir):
    s = settings()
    load_drop(s.warehouse_path, s.drop_dir(DAY1), DAY1)
    return s, _raw_snapshot(s.warehouse_path)


def _assert_rejected(s, before, rule: str, file_name: str, row: int | None = None) -> DropRejected:
    drop_dir = s.drop_dir(DAY2)
    files_before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in drop_dir.iterdir()}
    with pytest.raises(DropRejected) as excinfo:
        load_drop(s.warehouse_path, drop_dir, DAY2)
    err = excinfo.value
    assert err.rule == rule, str(err)
    assert err.file.endswith(file_name) and file_name in str(err)
    if row is not None:
        assert err.row == row and f"row {row}" in str(err)
    # nothing loaded for the date, earlier dates untouched, input files kept byte for byte
    assert _raw_snapshot(s.warehouse_path) == before
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in drop_dir.iterdir()} == files_before
    return err


def test_missing_manifest_names_the_manifest(loaded_day1):
    s, before = loaded_day1
    (s.drop_dir(DAY2) / manifest_name(DAY2)).unlink()
    with pytest.raises(DropNotArrived, match=manifest_name(DAY2)):
        load_drop(s.warehouse_path, s.drop_dir(DAY2), DAY2)
    assert _raw_snapshot(s.warehouse_path) == before


def test_checksum_mismatch(loaded_day1):
    s, before = loaded_day1
    path = s.drop_dir(DAY2) / ACCOUNTS.file_name(DAY2)
    _rewrite(path, "select * from {src} order by account_id desc")  # same rows, other bytes
    _assert_rejected(s, before, "checksum", path.name)


def test_record_count_mismatch(loaded_day1):
    s, before = loaded_day1
    path = _tamper_day2_accounts(s, "select * from {src} limit (select count(*) - 1 from {src})")
    _assert_rejected(s, before, "record_count", path.name)


def test_control_total_mismatch(loaded_day1):
    s, before = loaded_day1
    path = s.drop_dir(DAY2) / PAYMENTS.file_name(DAY2)
    manifest = json.loads((s.drop_dir(DAY2) / manifest_name(DAY2)).read_text())
    total = manifest["files"]["payments"]["control_totals"]["payment_amount"]
    _fix_manifest(s.drop_dir(DAY2), DAY2, PAYMENTS, control_totals={"payment_amount": f"{float(total) + 0.01:.2f}"})
    err = _assert_rejected(s, before, "control_total", path.name)
    assert "payment_amount" in str(err)


def test_file_stamped_with_another_business_date(loaded_day1):
    s, before = loaded_day1
    path = _tamper_day2_accounts(
        s,
        "select * replace (case when row_number() over () = 3 then business_date - 1 else business_date end "
        "as business_date) from {src}",
    )
    err = _assert_rejected(s, before, "business_date", path.name, row=3)
    assert str(DAY1) in str(err)


@pytest.mark.parametrize(
    ("change", "expected"),
    [("select * exclude (credit_limit) from {src}", "credit_limit"), ("select *, 1 as surprise from {src}", "surprise")],
)
def test_missing_or_extra_columns(loaded_day1, change, expected):
    s, before = loaded_day1
    path = _tamper_day2_accounts(s, change)
    err = _assert_rejected(s, before, "columns", path.name)
    assert expected in str(err)


def test_money_delivered_as_text(loaded_day1):
    s, before = loaded_day1
    path = _tamper_day2_accounts(
        s,
        "select * replace (case when row_number() over () = 5 then 'twelve' else credit_limit::varchar end "
        "as credit_limit) from {src}",
    )
    err = _assert_rejected(s, before, "column_type", path.name)
    assert "column credit_limit: found VARCHAR, expected DECIMAL(18,2)" in str(err)


def test_manifest_for_another_date(loaded_day1):
    s, before = loaded_day1
    path = s.drop_dir(DAY2) / manifest_name(DAY2)
    manifest = json.loads(path.read_text())
    manifest["business_date"] = str(DAY1)
    path.write_text(json.dumps(manifest))
    _assert_rejected(s, before, "manifest_business_date", path.name)
