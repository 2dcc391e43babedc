"""Helpers of the load tests: rewrite a drop like a platform re-delivering it, and read the raw layer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from creditwh.config import Settings
from creditwh.contract import ACCOUNTS, DATASETS
from creditwh.landing.manifest import write_manifest


def set_account_value(
    settings: Settings, day: dt.date, account_id: str, column: str, value, source: str
) -> None:
    """Re-deliver the day's drop with one account's `column` set to `value` (new manifest, new batch id)."""
    drop = settings.drop_dir(day)
    path = drop / ACCOUNTS.file_name(day)
    table = pq.read_table(path)
    index = table.schema.get_field_index(column)
    field = table.schema.field(index)
    changed = pc.if_else(
        pc.equal(table["account_id"], account_id), pa.scalar(value, field.type), table[column]
    )
    pq.write_table(table.set_column(index, field, changed), path)
    write_manifest(drop, day, source)


def quiet_open_account(settings: Settings, days: list[dt.date]) -> str:
    """An account OPEN at 0 days past due with no payment on every one of `days`: breaking its DPD on one
    day breaks DPD continuity with the next day too, if that day stays loaded."""
    files = [str(settings.drop_dir(d) / ACCOUNTS.file_name(d)) for d in days]
    con = (
        duckdb.connect()
    )  # a private connection: the module's default one is shared with the code under test
    try:
        (account,) = con.execute(
            "select account_id from read_parquet(?) group by account_id "
            "having count(*) = ? and bool_and(account_status = 'OPEN' and days_past_due = 0 "
            "and coalesce(last_payment_date, date '1900-01-01') < ?) order by account_id limit 1",
            [files, len(days), min(days)],
        ).fetchone()
    finally:
        con.close()
    return account


def raw_state(warehouse: Path, portable: bool = False) -> dict[str, list[tuple]]:
    """Every raw table (data and batch records) sorted; `portable` leaves out what differs between two
    loads of the same drops: when they ran and the drop's directory."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        state = {}
        for name in [d.name for d in DATASETS] + ["load_batches"]:
            drop = (
                " exclude (_loaded_at, _source_file)"
                if name != "load_batches"
                else " exclude (loaded_at, accepted_at)"
            )
            star = "*" + (drop if portable else "")
            state[name] = con.execute(f"select {star} from raw.{name} order by all").fetchall()
        return state
    finally:
        con.close()


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
