"""The hostile-input battery (issue #17): every way a drop can be broken or odd, run through the DAG's own
sequence (creditwh.pipeline.daily: verify, load, the raw gate) on a warehouse holding an accepted day 1.

A rejected case fails with an error naming the file (or the key) and the rule, loads nothing for the date
(or keeps the date's previous accepted load), leaves earlier dates untouched, publishes nothing and keeps
every input file byte for byte. A legitimate oddity (a day without payments, names with emoji or
SQL-looking text, a narrower integer type) loads, and text loads unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from creditwh.checksums import sha256_file
from creditwh.config import Settings, settings
from creditwh.contract import (
    ACCOUNTS,
    CHARGES,
    COLLECTION_ACTIONS,
    COLLECTION_ASSIGNMENTS,
    CUSTOMERS,
    DATASETS,
    PAYMENTS,
    REPAYMENT_PLANS,
    Dataset,
    manifest_name,
)
from creditwh.errors import DropNotArrived, DropRejected
from creditwh.landing.manifest import write_manifest
from creditwh.pipeline import daily
from creditwh.quality import ValidationGateFailed
from sim_dates import business_dates

DAY1, DAY2, DAY3 = business_dates(3)
A, P, C = (d.file_name(DAY2) for d in (ACCOUNTS, PAYMENTS, CUSTOMERS))
M = manifest_name(DAY2)
# The data and what was loaded; raw.rejected_batches, the log of refusals, is meant to change on a rejection.
RAW_TABLES = (*(d.name for d in DATASETS), "load_batches")


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def day1_warehouse(tmp_path_factory, small_landing) -> Path:
    """raw.* with day 1 verified, loaded and accepted by the raw gate, built once and copied per case."""
    s = Settings(data_dir=tmp_path_factory.mktemp("hostile-day1"))
    shutil.copytree(small_landing / f"{DAY1:%Y-%m-%d}", s.drop_dir(DAY1))
    run_day(s, DAY1)
    return s.warehouse_path


@pytest.fixture
def drop(data_dir, day1_warehouse) -> Drop:
    """Day 2's drop in a private data directory whose warehouse holds day 1 and whose outbox holds an
    earlier delivery."""
    s = settings()
    shutil.copy(day1_warehouse, s.warehouse_path)
    earlier = s.outbox_dir / "blacklist" / f"{DAY1:%Y-%m-%d}"
    earlier.mkdir(parents=True)
    (earlier / "blacklist_delta.csv").write_text("an earlier delivery\n")
    return Drop(s)


@dataclass
class Drop:
    """One day's drop of a private data directory, and the tools to break it."""

    s: Settings
    day: dt.date = DAY2

    @property
    def dir(self) -> Path:
        return self.s.drop_dir(self.day)

    @property
    def manifest_path(self) -> Path:
        return self.dir / manifest_name(self.day)

    def path(self, dataset: Dataset) -> Path:
        return self.dir / dataset.file_name(self.day)

    def manifest(self) -> dict:
        return json.loads(self.manifest_path.read_text())

    def edit_manifest(self, change: Callable[[dict], None]) -> None:
        manifest = self.manifest()
        change(manifest)
        self.manifest_path.write_text(json.dumps(manifest))

    def query(self, dataset: Dataset, sql: str) -> pa.Table:
        """Run `sql` with {f} standing for the dataset's file (its path bound, never spliced)."""
        con = duckdb.connect()
        try:
            return con.sql(
                sql.format(f="read_parquet($path)"), params={"path": str(self.path(dataset))}
            ).to_arrow_table()
        finally:
            con.close()

    def rewrite(self, dataset: Dataset, sql: str, manifest: str = "recompute") -> None:
        self.write(dataset, self.query(dataset, sql), manifest)

    def write(self, dataset: Dataset, table: pa.Table, manifest: str = "recompute") -> None:
        """Replace the file; then make the manifest agree with the whole drop ("recompute": counts, totals
        and checksums, so a later rule is the one that fires) or with the file's checksum only ("reseal":
        for files that cannot be summed) or leave it ("keep")."""
        path = self.path(dataset)
        path.unlink()
        pq.write_table(table, path)
        self.settle(dataset, manifest)

    def settle(self, dataset: Dataset, manifest: str) -> None:
        if manifest == "recompute":
            write_manifest(self.dir, self.day, "cardsim")
        elif manifest == "reseal":
            self.edit_manifest(
                lambda m: m["files"][dataset.name].update(sha256=sha256_file(self.path(dataset)).sha256)
            )


def run_day(s: Settings, day: dt.date = DAY2) -> None:
    """What the DAG runs for a date before dbt: verify the drop, load it, the raw gate."""
    daily.verify(day, s)
    daily.load(day, s)
    daily.validate("raw", day, s)


def raw_state(s: Settings) -> dict[str, list]:
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        return {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in RAW_TABLES}
    finally:
        con.close()


def tree(root: Path) -> dict[str, str]:
    """Every entry below root: a file's SHA-256, a link's target, 'dir' (links are not followed)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                out[rel] = f"-> {os.readlink(p)}"
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = sha256_file(p).sha256
    return out


def assert_rejected(s: Settings, error: type[Exception], rule: str | None, *names: str, day: dt.date = DAY2):
    before = raw_state(s), tree(s.landing_dir), tree(s.outbox_dir)
    with pytest.raises(error) as excinfo:
        run_day(s, day)
    message = str(excinfo.value)
    if isinstance(excinfo.value, DropRejected):
        assert excinfo.value.rule == rule, message
    if rule:
        assert rule in message, message
    for name in names:
        assert name in message, message
    # nothing loaded for the date (or its previous accepted load kept), earlier dates untouched,
    # nothing published, the input kept byte for byte
    assert raw_state(s) == before[0], message
    assert tree(s.landing_dir) == before[1]
    assert tree(s.outbox_dir) == before[2]
    return excinfo.value


def loaded(s: Settings, table: str, columns: str = "*", day: dt.date = DAY2) -> list:
    con = duckdb.connect(str(s.warehouse_path), read_only=True)
    try:
        return con.execute(
            f"select {columns} from raw.{table} where business_date = ? order by all", [day]
        ).fetchall()
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------ manifest
def _set(*keys_and_value) -> Callable[[Drop], None]:
    *keys, value = keys_and_value

    def change(m: dict) -> None:
        for key in keys[:-1]:
            m = m[key]
        m[keys[-1]] = value

    return lambda d: d.edit_manifest(change)


def _delete(*keys) -> Callable[[Drop], None]:
    def change(m: dict) -> None:
        for key in keys[:-1]:
            m = m[key]
        del m[keys[-1]]

    return lambda d: d.edit_manifest(change)


def _manifest_bytes(data: bytes) -> Callable[[Drop], None]:
    return lambda d: d.manifest_path.write_bytes(data)


def _manifest_text_replaced(old: str, new: str) -> Callable[[Drop], None]:
    def change(d: Drop) -> None:
        text = json.dumps(d.manifest(), indent=2)
        assert old in text
        d.manifest_path.write_text(text.replace(old, new, 1))

    return change


def _duplicate_entry(d: Drop) -> None:
    """Two `accounts` entries: json.loads would silently keep the second."""
    m = d.manifest()
    forged = dict(m["files"]["accounts"], records=0)
    text = json.dumps(m)
    d.manifest_path.write_text(
        text.replace('"files": {', '"files": {"accounts": ' + json.dumps(forged) + ", ", 1)
    )


def _another_days_manifest(d: Drop) -> None:
    shutil.copy(d.s.drop_dir(DAY1) / manifest_name(DAY1), d.manifest_path)


def _outside_file(d: Drop, name: str) -> Path:
    """A valid day-2 accounts file outside the drop, one balance changed, and a manifest entry that
    describes it (checksum, count, totals): only the file's location is wrong."""
    outside = d.s.data_dir / "elsewhere" / name
    outside.parent.mkdir(parents=True, exist_ok=True)
    table = d.query(
        ACCOUNTS,
        "select * replace (case when account_id = (select min(account_id) from {f}) then current_balance + 1000 "
        "else current_balance end as current_balance) from {f}",
    )
    pq.write_table(table, outside)
    con = duckdb.connect()
    total = con.execute(
        "select sum(current_balance)::decimal(38,2)::varchar from read_parquet(?)", [str(outside)]
    )
    balance = total.fetchone()[0]
    con.close()

    def change(m: dict) -> None:
        entry = m["files"]["accounts"]
        entry["sha256"] = sha256_file(outside).sha256
        entry["control_totals"]["current_balance"] = balance

    d.edit_manifest(change)
    return outside


def _absolute_path(d: Drop) -> None:
    outside = _outside_file(d, A)
    _set("files", "accounts", "file", str(outside))(d)


def _parent_path(d: Drop) -> None:
    outside = _outside_file(d, A)
    rel = os.path.relpath(outside, d.dir)
    assert rel.startswith("..")
    _set("files", "accounts", "file", rel)(d)


def _symlink_to_outside(d: Drop) -> None:
    outside = d.s.data_dir / "elsewhere" / A
    outside.parent.mkdir(parents=True)
    shutil.move(d.path(ACCOUNTS), outside)  # same bytes: the checksum matches
    d.path(ACCOUNTS).symlink_to(outside)


def _manifest_symlink(d: Drop) -> None:
    outside = d.s.data_dir / "elsewhere" / M
    outside.parent.mkdir(parents=True)
    shutil.move(d.manifest_path, outside)
    d.manifest_path.symlink_to(outside)


def _extra_file(name: str, source: Callable[[Drop], Path] | None = None) -> Callable[[Drop], None]:
    def change(d: Drop) -> None:
        if source is None:
            (d.dir / name).write_bytes(b"partial\n")
        else:
            shutil.copy(source(d), d.dir / name)

    return change


def _subfolder(d: Drop) -> None:
    (d.dir / "resend").mkdir()
    shutil.copy(d.path(ACCOUNTS), d.dir / "resend" / A)


def _file_is_folder(d: Drop) -> None:
    d.path(CUSTOMERS).unlink()
    d.path(CUSTOMERS).mkdir()


MANIFEST_CASES = [
    pytest.param(lambda d: d.manifest_path.unlink(), DropNotArrived, None, (M,), id="manifest-missing"),
    pytest.param(_manifest_bytes(b'{"business_date": '), DropRejected, "manifest_json", (M,), id="manifest-not-json"),
    pytest.param(_manifest_bytes(b"\xff\xfe{\x00}\x00"), DropRejected, "manifest_json", (M, "UTF-8"), id="manifest-not-utf8"),
    pytest.param(_manifest_bytes(b"[]"), DropRejected, "manifest_object", (M, "array"), id="manifest-array"),
    pytest.param(_manifest_bytes(b'"accounts"'), DropRejected, "manifest_object", (M,), id="manifest-string"),
    pytest.param(_manifest_bytes(b"{}"), DropRejected, "manifest_keys", (M, "business_date"), id="manifest-empty-object"),
    pytest.param(_set("business_date", 20260102), DropRejected, "manifest_business_date", (M, "20260102"), id="business-date-number"),
    pytest.param(_another_days_manifest, DropRejected, "manifest_business_date", (M, str(DAY1)), id="another-days-manifest"),
    pytest.param(_set("source_system", 7), DropRejected, "manifest_source_system", (M, "source_system"), id="source-system-number"),
    pytest.param(_set("signed_by", "x"), DropRejected, "manifest_keys", (M, "signed_by"), id="unknown-top-level-key"),
    pytest.param(_set("files", []), DropRejected, "manifest_files", (M, "files"), id="files-array"),
    pytest.param(_delete("files", "payments"), DropRejected, "manifest_files", (M, "payments"), id="entry-missing"),
    pytest.param(_set("files", "transactions", {}), DropRejected, "manifest_files", (M, "transactions"), id="unknown-dataset"),
    pytest.param(_duplicate_entry, DropRejected, "manifest_json", (M, "duplicate key 'accounts'"), id="entry-duplicated"),
    pytest.param(_set("files", "accounts", A), DropRejected, "manifest_entry", (M, "files.accounts"), id="entry-not-object"),
    pytest.param(_delete("files", "accounts", "sha256"), DropRejected, "manifest_keys", (M, "files.accounts.sha256"), id="entry-key-missing"),
    pytest.param(_set("files", "accounts", "size", 1), DropRejected, "manifest_keys", (M, "files.accounts.size"), id="entry-key-unknown"),
    pytest.param(_set("files", "accounts", "records", "400"), DropRejected, "manifest_records", (M, "files.accounts.records"), id="records-string"),
    pytest.param(_set("files", "accounts", "records", -1), DropRejected, "manifest_records", (M, "files.accounts.records"), id="records-negative"),
    pytest.param(_set("files", "payments", "records", 8.0), DropRejected, "manifest_records", (M, "files.payments.records"), id="records-float"),
    pytest.param(_set("files", "customers", "records", False), DropRejected, "manifest_records", (M, "files.customers.records"), id="records-bool"),
    pytest.param(_set("files", "accounts", "records", None), DropRejected, "manifest_records", (M, "files.accounts.records"), id="records-null"),
    pytest.param(_manifest_text_replaced('"records": ', '"records": NaN, "x": '), DropRejected, "manifest_json", (M, "NaN"), id="records-nan"),
    pytest.param(lambda d: _set("files", "accounts", "sha256", d.manifest()["files"]["accounts"]["sha256"].upper())(d), DropRejected, "manifest_sha256", (M, "files.accounts.sha256"), id="sha256-uppercase"),
    pytest.param(_set("files", "payments", "sha256", "abc123"), DropRejected, "manifest_sha256", (M, "files.payments.sha256"), id="sha256-short"),
    pytest.param(_set("files", "payments", "sha256", None), DropRejected, "manifest_sha256", (M, "files.payments.sha256"), id="sha256-null"),
    pytest.param(_set("files", "accounts", "control_totals", "current_balance", 1234.5), DropRejected, "manifest_control_totals", (M, "files.accounts.control_totals.current_balance"), id="control-total-number"),
    pytest.param(_set("files", "accounts", "control_totals", "current_balance", "1e3"), DropRejected, "manifest_control_totals", (M, "control_totals.current_balance"), id="control-total-exponent"),
    pytest.param(_set("files", "payments", "control_totals", "payment_amount", "1,234.50"), DropRejected, "manifest_control_totals", (M, "control_totals.payment_amount"), id="control-total-thousands"),
    pytest.param(_delete("files", "accounts", "control_totals", "amount_past_due"), DropRejected, "manifest_control_totals", (M, "amount_past_due"), id="control-total-missing"),
    pytest.param(_set("files", "customers", "control_totals", "credit_limit", "1.00"), DropRejected, "manifest_control_totals", (M, "credit_limit"), id="control-total-unknown"),
    pytest.param(_set("files", "accounts", "control_totals", []), DropRejected, "manifest_control_totals", (M, "files.accounts.control_totals"), id="control-totals-array"),
    pytest.param(_parent_path, DropRejected, "manifest_file_name", (M, "files.accounts.file", "../"), id="file-leaves-drop"),
    pytest.param(_absolute_path, DropRejected, "manifest_file_name", (M, "files.accounts.file", "is not the contract's name"), id="file-absolute-path"),
    pytest.param(_set("files", "accounts", "file", P), DropRejected, "manifest_file_name", (M, "files.accounts.file", A), id="file-another-datasets-name"),
    pytest.param(_set("files", "accounts", "file", ACCOUNTS.file_name(DAY1)), DropRejected, "manifest_file_name", (M, ACCOUNTS.file_name(DAY1)), id="file-another-dates-name"),
    pytest.param(_set("files", "accounts", "file", ""), DropRejected, "manifest_file_name", (M, "files.accounts.file"), id="file-empty"),
    pytest.param(_set("files", "accounts", "file", 7), DropRejected, "manifest_file_name", (M, "files.accounts.file"), id="file-number"),
    pytest.param(_symlink_to_outside, DropRejected, "regular_file", (A, "link"), id="file-symlink-to-outside"),
    pytest.param(_manifest_symlink, DropRejected, "regular_file", (M,), id="manifest-symlink"),
    pytest.param(lambda d: d.path(PAYMENTS).unlink(), DropRejected, "file_present", (P,), id="file-listed-absent"),
    pytest.param(_file_is_folder, DropRejected, "regular_file", (C,), id="file-is-a-folder"),
    pytest.param(_extra_file(f"accounts_{DAY2:%Y%m%d}_v2.parquet", lambda d: d.path(ACCOUNTS)), DropRejected, "unlisted_file", (f"accounts_{DAY2:%Y%m%d}_v2.parquet",), id="file-present-not-listed"),
    pytest.param(_extra_file(ACCOUNTS.file_name(DAY1), lambda d: d.s.drop_dir(DAY1) / ACCOUNTS.file_name(DAY1)), DropRejected, "unlisted_file", (ACCOUNTS.file_name(DAY1),), id="another-days-file-present"),
    pytest.param(_extra_file(manifest_name(DAY1), lambda d: d.s.drop_dir(DAY1) / manifest_name(DAY1)), DropRejected, "unlisted_file", (manifest_name(DAY1),), id="second-manifest-present"),
    pytest.param(_extra_file(A + ".tmp"), DropRejected, "unlisted_file", (A + ".tmp",), id="visible-temporary-present"),
    pytest.param(_subfolder, DropRejected, "unlisted_file", ("resend",), id="subfolder-present"),
]  # fmt: skip


@pytest.mark.parametrize(("prepare", "error", "rule", "names"), MANIFEST_CASES)
def test_manifest_and_folder_rejected(drop, prepare, error, rule, names):
    prepare(drop)
    assert_rejected(drop.s, error, rule, *names)


def test_sql_in_the_file_value_runs_nothing(drop, monkeypatch):
    """The manifest's `file` used to be spliced into read_parquet('…'): this value ran a COPY to a file of
    our choosing during verify. The statement must never run, however the folder is arranged."""
    monkeypatch.chdir(drop.s.data_dir)  # where the injected COPY would write
    injected = "a'); copy (select 42 as pwned) to 'pwned.csv'; select ('"
    shutil.copy(drop.path(ACCOUNTS), drop.dir / injected)  # present, with the manifest's checksum
    shutil.copy(drop.path(ACCOUNTS), drop.dir / "a")
    _set("files", "accounts", "file", injected)(drop)
    assert_rejected(drop.s, DropRejected, "manifest_file_name", "files.accounts.file", "pwned")
    assert not (drop.s.data_dir / "pwned.csv").exists()


def test_hidden_files_are_ignored(drop):
    """Decided in creditwh.landing.drop_listing: filesystem artefacts are not part of the delivery."""
    (drop.dir / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    run_day(drop.s)
    assert len(loaded(drop.s, "accounts")) == drop.manifest()["files"]["accounts"]["records"]


# ------------------------------------------------------------------------------------------------ files
def _cut(fraction: float) -> Callable[[Drop], None]:
    def change(d: Drop) -> None:
        data = d.path(ACCOUNTS).read_bytes()
        d.path(ACCOUNTS).write_bytes(data[: int(len(data) * fraction)])
        d.settle(ACCOUNTS, "reseal")

    return change


def _corrupt_first_page(d: Drop) -> None:
    """The first page's header overwritten: the footer (schema) still reads, the rows do not."""
    data = bytearray(d.path(ACCOUNTS).read_bytes())
    data[4:12] = b"\xff" * 8  # just after the leading magic PAR1
    d.path(ACCOUNTS).write_bytes(bytes(data))
    d.settle(ACCOUNTS, "reseal")


def _csv_instead(d: Drop) -> None:
    d.path(PAYMENTS).write_text("business_date,payment_id\n2026-01-02,P1\n")
    d.settle(PAYMENTS, "reseal")


def _rewrite(dataset: Dataset, sql: str, manifest: str = "recompute") -> Callable[[Drop], None]:
    return lambda d: d.rewrite(dataset, sql, manifest)


FIRST_ACCOUNT = "(select min(account_id) from {f})"


def _overflowing_money(d: Drop) -> None:
    """statement_balance of the first row holds 19 digits in a DECIMAL(18,2) column (a 64-bit integer in
    Parquet can: readers pass it through, and no gate bounds that column)."""
    table = pq.read_table(d.path(ACCOUNTS))
    column = table.column("statement_balance").combine_chunks()
    cents = np.array([int(v * 100) if v is not None else 0 for v in column.to_pylist()], dtype=np.int64)
    cents[0] = 5 * 10**18
    words = np.stack([cents, cents >> 63], axis=1)
    validity = pa.array(column.is_valid()).buffers()[1] if column.null_count else None
    overflowing = pa.Array.from_buffers(
        column.type, len(cents), [validity, pa.py_buffer(words)], column.null_count
    )
    d.write(
        ACCOUNTS,
        table.set_column(table.schema.get_field_index("statement_balance"), "statement_balance", overflowing),
        "reseal",
    )


FILE_CASES = [
    pytest.param(_cut(0.5), "readable", (A,), id="truncated-parquet"),
    pytest.param(_corrupt_first_page, "readable", (A,), id="corrupt-page-behind-valid-footer"),
    pytest.param(_csv_instead, "readable", (P,), id="csv-instead-of-parquet"),
    pytest.param(_cut(0), "readable", (A,), id="empty-file"),
    pytest.param(lambda d: (d.path(ACCOUNTS).write_bytes(d.path(ACCOUNTS).read_bytes()[:-1] + b"X")), "checksum", (A, "sha256"), id="changed-after-manifest"),
    pytest.param(_rewrite(ACCOUNTS, "select * exclude (credit_limit) from {f}"), "columns", (A, "credit_limit"), id="column-missing"),
    pytest.param(_rewrite(ACCOUNTS, "select *, 'x' as promo_code from {f}"), "columns", (A, "promo_code"), id="column-extra"),
    pytest.param(_rewrite(PAYMENTS, "select * rename (payment_amount as amount) from {f}", "reseal"), "columns", (P, "payment_amount", "amount"), id="column-renamed"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_ACCOUNT} then 12.5 else days_past_due end::double as days_past_due) from {{f}}", "reseal"), "column_type", (A, "column days_past_due: found DOUBLE, expected INTEGER"), id="dpd-12.5-as-double"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (days_past_due::double as days_past_due) from {f}"), "column_type", (A, "days_past_due", "DOUBLE"), id="dpd-whole-numbers-as-double"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (days_past_due::bigint as days_past_due) from {f}"), "column_type", (A, "days_past_due", "BIGINT"), id="dpd-as-bigint"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_ACCOUNT} then current_balance + 0.005 else current_balance end::decimal(18,3) as current_balance) from {{f}}", "reseal"), "column_type", (A, "column current_balance: found DECIMAL(18,3), expected DECIMAL(18,2)"), id="money-three-decimals"),
    pytest.param(_rewrite(PAYMENTS, "select * replace (payment_amount::double as payment_amount) from {f}", "reseal"), "column_type", (P, "payment_amount", "DOUBLE"), id="money-as-double"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_ACCOUNT} then 10::decimal(38,2) ** 20 else credit_limit end::decimal(38,2) as credit_limit) from {{f}}", "reseal"), "column_type", (A, "credit_limit", "DECIMAL(38,2)"), id="money-overflow-decimal38"),
    pytest.param(_overflowing_money, "money_range", (A, "statement_balance", "row 1"), id="money-overflow-in-decimal18"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (credit_limit::varchar as credit_limit) from {f}", "reseal"), "column_type", (A, "column credit_limit: found VARCHAR, expected DECIMAL(18,2)"), id="numbers-as-strings"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (strftime(open_date, '%Y-%m-%d') as open_date) from {f}", "reseal"), "column_type", (A, "column open_date: found VARCHAR, expected DATE"), id="dates-as-strings"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (business_date::timestamp as business_date) from {f}", "reseal"), "column_type", (A, "business_date", "TIMESTAMP"), id="date-as-timestamp"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (fraud_flag::integer as fraud_flag) from {f}", "reseal"), "column_type", (A, "fraud_flag", "BOOLEAN"), id="boolean-as-integer"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (account_id::blob as account_id) from {f}", "reseal"), "column_type", (A, "account_id", "BLOB"), id="text-as-binary"),
    pytest.param(_rewrite(CUSTOMERS, "select * replace (updated_at::timestamptz as updated_at) from {f}", "reseal"), "column_type", (C, "updated_at", "TIME ZONE"), id="timestamp-with-time-zone"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_ACCOUNT} then null else business_date end as business_date) from {{f}}"), "business_date", (A, "row ", "None"), id="business-date-null"),
    pytest.param(_rewrite(PAYMENTS, "select * replace (business_date + 1 as business_date) from {f}"), "business_date", (P, str(DAY3)), id="stamped-next-day"),
    pytest.param(lambda d: _set("files", "accounts", "records", d.manifest()["files"]["accounts"]["records"] + 1)(d), "record_count", (A, "manifest says"), id="record-count-off-by-one"),
    pytest.param(_set("files", "payments", "control_totals", "payment_amount", "0.01"), "control_total", (P, "payment_amount"), id="control-total-wrong"),
]  # fmt: skip


@pytest.mark.parametrize(("prepare", "rule", "names"), FILE_CASES)
def test_file_rejected(drop, prepare, rule, names):
    prepare(drop)
    assert_rejected(drop.s, DropRejected, rule, *names)


def _zero_payments(d: Drop) -> None:
    d.rewrite(PAYMENTS, "select * from {f} limit 0")


ACCEPTED_FILES = [
    pytest.param(_zero_payments, PAYMENTS, id="zero-payments-right-schema"),
    pytest.param(_rewrite(ACCOUNTS, "select * replace (days_past_due::smallint as days_past_due, cycle_day::utinyint as cycle_day) from {f}"), ACCOUNTS, id="narrower-integers"),
    pytest.param(_rewrite(PAYMENTS, "select * replace (payment_amount::decimal(12,2) as payment_amount) from {f}"), PAYMENTS, id="narrower-decimal"),
    pytest.param(_rewrite(ACCOUNTS, "select * from {f} order by account_id desc"), ACCOUNTS, id="rows-reordered"),
    pytest.param(lambda d: d.write(CUSTOMERS, d.query(CUSTOMERS, "select * from {f}").select(list(reversed(CUSTOMERS.columns)))), CUSTOMERS, id="columns-reordered"),
]  # fmt: skip


@pytest.mark.parametrize(("prepare", "dataset"), ACCEPTED_FILES)
def test_legitimate_file_variants_load(drop, prepare, dataset):
    prepare(drop)
    run_day(drop.s)
    expected = drop.query(dataset, f"select {', '.join(dataset.columns)} from {{f}} order by all")
    got = loaded(drop.s, dataset.name, ", ".join(dataset.columns))
    assert got == [tuple(r.values()) for r in expected.to_pylist()]
    assert len(got) == drop.manifest()["files"][dataset.name]["records"]


# ------------------------------------------------------------------------------------------------ rows
FIRST_OPEN = "(select min(account_id) from {f} where account_status = 'OPEN')"
FIRST_PAYMENT = "(select min(payment_id) from {f} where payment_type = 'PAYMENT')"


def _customer_version(d: Drop, n: int = 1, **values: str) -> pa.Table:
    """Day 1's first `n` customers as day-2 changes, with `values` (SQL expressions) replacing columns."""
    day1 = Drop(d.s, DAY1)
    replaced = {"business_date": "business_date + 1", "updated_at": "updated_at + interval 1 day", **values}
    sql = (
        f"select * replace ({', '.join(f'{v} as {c}' for c, v in replaced.items())}) from {{f}} "
        f"where customer_id in (select customer_id from {{f}} order by 1 limit {n}) order by customer_id"
    )
    return day1.query(CUSTOMERS, sql)


def _add_customers(*versions: dict[str, str]) -> Callable[[Drop], None]:
    def change(d: Drop) -> None:
        existing = pq.read_table(d.path(CUSTOMERS))
        added = [_customer_version(d, **v).cast(existing.schema) for v in versions]
        d.write(CUSTOMERS, pa.concat_tables([existing, *added]))

    return change


ROW_CASES = [
    pytest.param(_rewrite(ACCOUNTS, f"select * from {{f}} union all select * from {{f}} where account_id = {FIRST_ACCOUNT}"), "one_row_per_account", ("raw_accounts",), id="duplicate-account"),
    pytest.param(_rewrite(PAYMENTS, f"select * from {{f}} union all select * from {{f}} where payment_id = {FIRST_PAYMENT}"), "one_row_per_payment", ("raw_payments",), id="duplicate-payment"),
    pytest.param(_add_customers({}, {}), "one_row_per_customer", ("raw_customers",), id="duplicate-customer-version"),
    pytest.param(_rewrite(PAYMENTS, f"select * from {{f}} union all select * replace ('PHOSTILE01' as payment_id, 'A9999999999' as account_id) from {{f}} where payment_id = {FIRST_PAYMENT}"), "payment_account_known", ("A9999999999",), id="orphan-payment"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_OPEN} then date '9999-12-31' else open_date end as open_date) from {{f}}"), "no_dates_after_business_date", ("9999-12-31",), id="open-date-in-year-9999"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_OPEN} then -500 else credit_limit end::decimal(18,2) as credit_limit) from {{f}}"), "open_account_has_limit", ("-500",), id="negative-limit"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_OPEN} then 9999999999999999.99 else current_balance end::decimal(18,2) as current_balance) from {{f}}"), "balance_within_bounds", ("raw_accounts",), id="absurd-balance"),
    pytest.param(_rewrite(ACCOUNTS, f"select * replace (case when account_id = {FIRST_OPEN} then null else account_id end as account_id) from {{f}}"), "not_null_account_id", ("raw_accounts",), id="null-account-id"),
    pytest.param(_rewrite(PAYMENTS, f"select * replace (case when payment_id = {FIRST_PAYMENT} then null else payment_id end as payment_id) from {{f}}"), "not_null_payment_id", ("raw_payments",), id="null-payment-id"),
    pytest.param(_add_customers({"customer_id": "null"}), "not_null_customer_id", ("raw_customers",), id="null-customer-id"),
]  # fmt: skip


@pytest.mark.parametrize(("prepare", "rule", "names"), ROW_CASES)
def test_rows_rejected_by_the_raw_gate(drop, prepare, rule, names):
    """verify passes (the files are well formed); the raw gate rejects the rows and the date is rolled back."""
    prepare(drop)
    assert_rejected(drop.s, ValidationGateFailed, rule, *names)
    assert loaded(drop.s, "accounts") == [] and loaded(drop.s, "payments") == []


def test_rejected_restatement_keeps_the_accepted_day(drop):
    """A re-delivered day 1 with a duplicated account: day 1's accepted rows stay as they were."""
    day1 = Drop(drop.s, DAY1)
    day1.rewrite(
        ACCOUNTS, f"select * from {{f}} union all select * from {{f}} where account_id = {FIRST_ACCOUNT}"
    )
    assert_rejected(drop.s, ValidationGateFailed, "one_row_per_account", day=DAY1)
    assert (
        len(loaded(drop.s, "accounts", day=DAY1))
        == Drop(drop.s, DAY1).manifest()["files"]["accounts"]["records"] - 1
    )


# ------------------------------------------------------------------------------------------------ collections
# The bad collections input (#15), each through verify, load and the raw gate: the error names the
# rule, the file and the row (its action or assignment id, and the offending value).
CA, CS = COLLECTION_ACTIONS.file_name(DAY2), COLLECTION_ASSIGNMENTS.file_name(DAY2)
FIRST_ACTION = "(select min(action_id) from {f})"
FIRST_CALL = "(select min(action_id) from {f} where channel = 'CALL')"


def _change_call(**values: str) -> Callable[[Drop], None]:
    """The day's first CALL action with `values` (SQL expressions) replacing columns."""
    replaced = ", ".join(f"case when action_id = {FIRST_CALL} then {v} else {c} end as {c}" for c, v in values.items())
    return _rewrite(COLLECTION_ACTIONS, f"select * replace ({replaced}) from {{f}}")


def _add_assignments(account_sql: str, *rows: tuple[str, str]) -> Callable[[Drop], None]:
    """Append open assignments (assignment_id, holder_id) from day 2 on, for the day-2 account `account_sql`
    (a query over the accounts file) picks."""

    def change(d: Drop) -> None:
        existing = pq.read_table(d.path(COLLECTION_ASSIGNMENTS))
        (account,) = d.query(ACCOUNTS, account_sql).column(0).to_pylist()
        assert account is not None
        added = pa.table({
            "business_date": [DAY2] * len(rows), "assignment_id": [r[0] for r in rows],
            "account_id": [account] * len(rows), "holder_id": [r[1] for r in rows],
            "valid_from": [DAY2] * len(rows), "valid_to": pa.nulls(len(rows), pa.date32()),
            "balance_at_placement": pa.array([Decimal("100.00")] * len(rows), pa.decimal128(18, 2)),
            "days_past_due_at_placement": pa.array([1] * len(rows), pa.int32()),
            "close_reason": pa.nulls(len(rows), pa.string()),
        })  # fmt: skip
        d.write(COLLECTION_ASSIGNMENTS, pa.concat_tables([existing, added.cast(existing.schema)]))

    return change


CURRENT = "select min(account_id) from {f} where account_status = 'OPEN' and days_past_due = 0"
# 10-50 DPD today: placed with an early-stage team on day 1 (at 9-49 DPD), still held by it
HELD_SINCE_DAY1 = "select min(account_id) from {f} where account_status = 'OPEN' and days_past_due between 10 and 50"

COLLECTION_CASES = [
    pytest.param(_rewrite(COLLECTION_ACTIONS, f"select * replace (case when action_id = {FIRST_ACTION} then 'A9999999999' else account_id end as account_id) from {{f}}"), "action_account_in_snapshot", (CA, "A9999999999", "action_id="), id="action-for-account-not-in-snapshot"),
    pytest.param(_change_call(channel="'FAX'"), "channel_and_outcome_known", (CA, "FAX", "action_id="), id="unknown-channel"),
    pytest.param(_change_call(outcome="'MAYBE_LATER'"), "channel_and_outcome_known", (CA, "MAYBE_LATER"), id="unknown-outcome"),
    pytest.param(_change_call(outcome="'PTP'", promised_amount="0::decimal(18,2)", promised_date="business_date + 3"), "promise_valid", (CA, "promised_amount=0", "action_id="), id="promise-non-positive-amount"),
    pytest.param(_change_call(outcome="'PTP'", promised_amount="-50::decimal(18,2)", promised_date="business_date + 3"), "promise_valid", (CA, "promised_amount=-50"), id="promise-negative-amount"),
    pytest.param(_change_call(outcome="'PTP'", promised_amount="50::decimal(18,2)", promised_date="business_date - 1"), "promise_valid", (CA, f"promised_date={DAY1}"), id="promise-date-before-action"),
    pytest.param(_change_call(talk_seconds="-5"), "talk_seconds_within_bounds", (CA, "talk_seconds=-5", "action_id="), id="negative-talk-time"),
    pytest.param(_change_call(action_ts="action_ts - interval 1 day"), "action_on_business_date", (CA, str(DAY1), "action_id="), id="action-stamped-another-day"),
    pytest.param(_rewrite(COLLECTION_ACTIONS, f"select * from {{f}} union all select * from {{f}} where action_id = {FIRST_ACTION}"), "one_row_per_action", (CA, "action_id="), id="duplicate-action-id"),
    pytest.param(_add_assignments(CURRENT, ("AS9999999901", "AG-NOBODY")), "assignment_holder_known", (CS, "AG-NOBODY", "AS9999999901"), id="assignment-unknown-holder"),
    pytest.param(_add_assignments(CURRENT, ("AS9999999901", "T-EARLY-A"), ("AS9999999902", "AG-NORTH")), "assignments_do_not_overlap", (CS, "AS9999999901", "AS9999999902"), id="overlapping-assignments-same-day"),
    pytest.param(_add_assignments(HELD_SINCE_DAY1, ("AS9999999901", "AG-EAST")), "assignments_do_not_overlap", (CS, "AS9999999901", "overlapping_assignment_id=AS"), id="overlapping-an-open-assignment-loaded-earlier"),
]  # fmt: skip


@pytest.mark.parametrize(("prepare", "rule", "names"), COLLECTION_CASES)
def test_collection_rows_rejected_by_the_raw_gate(drop, prepare, rule, names):
    """verify passes (the files are well formed); the raw gate rejects the rows and nothing of day 2 stays."""
    prepare(drop)
    assert_rejected(drop.s, ValidationGateFailed, rule, *names)
    assert all(loaded(drop.s, d.name) == [] for d in DATASETS)


def test_collection_action_file_stamped_with_another_business_date(drop):
    """A row of the actions file stamped with another business date: rejected before loading, row named."""
    drop.rewrite(COLLECTION_ACTIONS, f"select * replace (case when action_id = {FIRST_ACTION} then business_date - 1 else business_date end as business_date) from {{f}} order by action_id")  # fmt: skip
    err = assert_rejected(drop.s, DropRejected, "business_date", CA, str(DAY1))
    assert err.row == 1


# ------------------------------------------------------------------------------------------------ plans
# The bad plan and charge input (#16), each through verify, load and the raw gate: the error names the
# rule, the file and the row (its plan or charge id, and the offending value).
RP, CH = REPAYMENT_PLANS.file_name(DAY2), CHARGES.file_name(DAY2)


def _plan(day: dt.date, plan_id: str, account: str, **values) -> dict:
    row = {"business_date": day, "plan_id": plan_id, "account_id": account, "plan_type": "HARDSHIP",
           "start_date": DAY2, "term_months": 6, "principal_amount": Decimal("900.00"),
           "instalment_amount": Decimal("30.00"), "rate_percent": Decimal("6.00"),
           "amount_waived": Decimal("0.00"), "plan_status": "ACTIVE", "status_date": DAY2}  # fmt: skip
    return {**row, **values}


def _add_plans(account_sql: str | None, *rows: dict, day: dt.date = DAY2) -> Callable[[Drop], None]:
    """Append plans (_plan keywords) to the day's plans file; account_sql (a query over the accounts file)
    picks the account of rows that name none."""

    def change(d: Drop) -> None:
        d = Drop(d.s, day)
        existing = pq.read_table(d.path(REPAYMENT_PLANS))
        account = d.query(ACCOUNTS, account_sql).column(0)[0].as_py() if account_sql else None
        added = [_plan(day, **{"account": account, **r}) for r in rows]
        d.write(REPAYMENT_PLANS, pa.concat_tables([existing, pa.Table.from_pylist(added, existing.schema)]))

    return change


def _add_charges(*rows: dict) -> Callable[[Drop], None]:
    """Append charges to day 2's charges file, for the day's first current account."""

    def change(d: Drop) -> None:
        existing = pq.read_table(d.path(CHARGES))
        (account,) = d.query(ACCOUNTS, CURRENT).column(0).to_pylist()
        base = {"business_date": DAY2, "account_id": account, "posting_date": DAY2, "reverses_charge_id": None,
                "plan_id": None}  # fmt: skip
        added = pa.Table.from_pylist([{**base, **r} for r in rows], existing.schema)
        d.write(CHARGES, pa.concat_tables([existing, added]))

    return change


def _fee(charge_id: str, charge_type: str, amount: str, reverses: str | None = None) -> dict:
    return {"charge_id": charge_id, "charge_type": charge_type, "charge_amount": Decimal(amount),
            "reverses_charge_id": reverses}  # fmt: skip


# Each bad row in one drop (a gate run costs ~15 s): the error names every rule with its file and row.
BAD_PLANS = (
    _add_plans(CURRENT, {"plan_id": "PL9999999902", "term_months": 0},
               {"plan_id": "PL9999999903", "instalment_amount": Decimal("-30.00")}),
    {"plan_account_in_snapshot": ("A9999999999", "plan_id=PL9999999901"),
     "plan_term_positive": ("term_months=0", "plan_id=PL9999999902"),
     "plan_amounts_not_negative": ("instalment_amount=-30", "plan_id=PL9999999903")},
)
BAD_CHARGES = (
    _add_charges(_fee("CH9999999999901", "LATE_FEE", "25.00"),
                 _fee("CH9999999999902", "WAIVER", "-26.00", "CH9999999999901"),
                 _fee("CH9999999999903", "MYSTERY_FEE", "5.00"),
                 _fee("CH9999999999904", "REVERSAL", "-5.00", "CH0000000000000")),
    {"charge_return_within_fee": ("charge_id=CH9999999999902", "fee_amount=25", "charge_id=CH9999999999904",
                                  "reverses_charge_id=CH0000000000000"),
     "charge_type_known": ("MYSTERY_FEE", "charge_id=CH9999999999903")},
)  # fmt: skip


@pytest.mark.parametrize(
    ("bad", "file"), [(BAD_PLANS, RP), (BAD_CHARGES, CH)], ids=["plans-unknown-account-zero-term-negative-instalment",
                                                               "charges-waiver-over-fee-unknown-type-unknown-target"]
)  # fmt: skip
def test_plan_and_charge_rows_rejected_by_the_raw_gate(drop, bad, file):
    """verify passes (the files are well formed); the raw gate rejects the rows, naming each rule, the file and
    the row, and nothing of day 2 stays."""
    prepare, rules = bad
    if file == RP:
        _add_plans(None, {"plan_id": "PL9999999901", "account": "A9999999999"})(drop)
    prepare(drop)
    err = assert_rejected(drop.s, ValidationGateFailed, None, file, *rules, *(n for names in rules.values() for n in names))
    assert all(loaded(drop.s, d.name) == [] for d in DATASETS), err


def test_completed_plan_coming_back_active_rejected(drop):
    """Day 2 completes a plan (accepted); day 3 delivers it ACTIVE again: rejected, days 1 and 2 untouched."""
    _add_plans(CURRENT, {"plan_id": "PL9999999901", "plan_status": "COMPLETED"})(drop)
    run_day(drop.s, DAY2)
    assert loaded(drop.s, "repayment_plans", "plan_id, plan_status")[-1] == ("PL9999999901", "COMPLETED")
    _add_plans(CURRENT, {"plan_id": "PL9999999901", "status_date": DAY3}, day=DAY3)(drop)
    assert_rejected(drop.s, ValidationGateFailed, "plan_final_status_kept", REPAYMENT_PLANS.file_name(DAY3),
                    "plan_id=PL9999999901", "earlier_status=COMPLETED", day=DAY3)  # fmt: skip
    assert all(loaded(drop.s, d.name, day=DAY3) == [] for d in DATASETS)


# ------------------------------------------------------------------------------------------------ text
TEXT_CASES = {
    "sql-looking": "Robert'); DROP TABLE raw.accounts; --",
    "template-and-placeholder-looking": "{{ config(materialized='table') }} ${HOME} %s $1 ? :name",
    "emoji-and-zwj-sequences": "Zoë 😀 👩‍👩‍👧‍👦 🇨🇳",
    "mixed-width": "ＺＨＡＮＧ　三丰 zhang ｶﾀｶﾅ",
    "combining-zero-width-bidi": "e\u0301 \u200b\u200d\u202eRTL\u202c \ufeff",
    "supplementary-planes": "𠀀𪚥 \U0010fffd",
    "whitespace-kept": "  Li \t Wei  \r\n",
    "nul-character": "a\x00b",
    "empty-string-not-null": "",
    "very-long-300kB": "长" * 100_000,
}
TEXT_COLUMNS = ("family_name", "given_name", "local_name", "address_line1", "address_line2", "city")


@pytest.fixture(scope="module")
def text_loaded(tmp_path_factory, small_landing, day1_warehouse) -> tuple[Settings, dict[str, str]]:
    """Day 2 carrying one customer version per hostile text (every text column set to it), run once through
    verify, load and the raw gate: the values are legitimate data. Returns the settings and, per case, the
    customer that carries it."""
    s = Settings(data_dir=tmp_path_factory.mktemp("hostile-text"))
    for day in (DAY1, DAY2):
        shutil.copytree(small_landing / f"{day:%Y-%m-%d}", s.drop_dir(day))
    shutil.copy(day1_warehouse, s.warehouse_path)
    d = Drop(s)
    existing = pq.read_table(d.path(CUSTOMERS))
    versions = _customer_version(d, len(TEXT_CASES)).cast(existing.schema)
    for column in TEXT_COLUMNS:
        values = pa.array(list(TEXT_CASES.values()), existing.schema.field(column).type)
        versions = versions.set_column(versions.schema.get_field_index(column), column, values)
    d.write(CUSTOMERS, pa.concat_tables([existing, versions]))
    run_day(s)
    return s, dict(zip(TEXT_CASES, versions.column("customer_id").to_pylist(), strict=False))


@pytest.mark.parametrize("case", TEXT_CASES)
def test_text_loads_unchanged(text_loaded, case):
    s, customer_of = text_loaded
    rows = loaded(s, "customers", "customer_id, " + ", ".join(TEXT_COLUMNS))
    (row,) = [r[1:] for r in rows if r[0] == customer_of[case]]
    assert [v.encode("utf-8") for v in row] == [TEXT_CASES[case].encode("utf-8")] * len(TEXT_COLUMNS)


def test_invalid_utf8_rejected_naming_the_column(drop):
    existing = pq.read_table(drop.path(CUSTOMERS))
    version = _customer_version(drop).cast(existing.schema)
    data = b"M\xfcller"  # Latin-1, not UTF-8
    offsets = np.array([0, len(data)], dtype=np.int32)
    invalid = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    version = version.set_column(version.schema.get_field_index("family_name"), "family_name", invalid)
    drop.write(CUSTOMERS, pa.concat_tables([existing, version]), "reseal")
    drop.edit_manifest(lambda m: m["files"]["customers"].update(records=1))
    assert_rejected(drop.s, DropRejected, "utf8", C, "column family_name")


# ------------------------------------------------------------------------------------------------ calendar
def _without_load_times(state: dict[str, list]) -> dict[str, list]:
    """Rows of raw.* without the columns that record when a load ran."""
    return {
        t: sorted(tuple(v for v in row if not isinstance(v, dt.datetime)) for row in rows)
        for t, rows in state.items()
    }


def test_day_delivered_twice_identical(drop):
    run_day(drop.s)
    first = raw_state(drop.s)
    run_day(drop.s)
    assert _without_load_times(raw_state(drop.s)) == _without_load_times(first)


def test_day_delivered_twice_changed_replaces(drop):
    run_day(drop.s)
    before_day1 = loaded(drop.s, "accounts", day=DAY1)
    drop.rewrite(
        ACCOUNTS,
        f"select * replace (case when account_id = {FIRST_ACCOUNT} then current_balance + 1 else current_balance "
        "end::decimal(18,2) as current_balance) from {f}",
    )
    run_day(drop.s)
    manifest = drop.manifest()["files"]["accounts"]
    rows = loaded(drop.s, "accounts", "account_id, current_balance")
    assert len(rows) == len({r[0] for r in rows}) == manifest["records"]  # replaced, never duplicated
    assert sum(r[1] for r in rows) == Decimal(manifest["control_totals"]["current_balance"])
    assert loaded(drop.s, "accounts", day=DAY1) == before_day1


def test_day_skipped(drop):
    run_day(drop.s, DAY3)
    assert loaded(drop.s, "accounts") == []
    assert (
        len(loaded(drop.s, "accounts", day=DAY3))
        == Drop(drop.s, DAY3).manifest()["files"]["accounts"]["records"]
    )


def test_restated_past_day(drop):
    run_day(drop.s)
    day2_rows = loaded(drop.s, "accounts")
    day1 = Drop(drop.s, DAY1)
    day1.rewrite(
        ACCOUNTS,
        f"select * replace (case when account_id = {FIRST_ACCOUNT} then current_balance + 100 else current_balance "
        "end::decimal(18,2) as current_balance) from {f}",
    )
    run_day(drop.s, DAY1)
    restated = loaded(drop.s, "accounts", "sum(current_balance)::decimal(38,2)::varchar", day=DAY1)
    assert restated == [(day1.manifest()["files"]["accounts"]["control_totals"]["current_balance"],)]
    assert loaded(drop.s, "accounts") == day2_rows


MONTH_END, NEXT_MONTH_END = dt.date(2026, 2, 28), dt.date(2026, 3, 31)


@pytest.fixture(scope="module")
def month_end_landing(tmp_path_factory) -> Path:
    """Drops of the last day of February and of March only (the days in between are not delivered)."""
    from creditwh.simulate import SimConfig, simulate_to_landing

    everything = tmp_path_factory.mktemp("month-ends-all")
    days = (NEXT_MONTH_END - MONTH_END).days + 1
    simulate_to_landing(SimConfig(n_accounts=400, start_date=MONTH_END, seed=11), days, everything)
    landing = tmp_path_factory.mktemp("month-ends") / "landing"
    for day in (MONTH_END, NEXT_MONTH_END):
        shutil.copytree(everything / f"{day:%Y-%m-%d}", landing / f"{day:%Y-%m-%d}")
    return landing


def test_month_end_only_history(tmp_path, month_end_landing):
    """Two month ends 31 days apart and nothing in between: the raw gate's cross-day rules (DPD continuity,
    disappearances) judge the second against the first."""
    s = Settings(data_dir=tmp_path)
    shutil.copytree(month_end_landing, s.landing_dir)
    run_day(s, MONTH_END)
    run_day(s, NEXT_MONTH_END)
    assert len(loaded(s, "accounts", day=NEXT_MONTH_END)) > 0
