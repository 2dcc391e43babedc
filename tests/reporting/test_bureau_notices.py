"""The notice list (征信业管理条例 §15): consumers about to be reported negatively for the first time, built by
dbt (restricted.rpt_bureau_negative_notices) and published before the bureau files - checked against an
independent walk of the periods' bureau records, then read back from the published CSV."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pytest
from extracts_warehouse import run_dbt

pytestmark = pytest.mark.slow

PERIODS = [dt.date(2026, 1, 31), dt.date(2026, 2, 28)]
NEGATIVE = {
    "METRO2": {"71", "78", "80", "82", "83", "84", "97", "64"},
    "PBOC": {"1", "2", "3", "4", "5", "6", "7", "B"},
}


def _build(warehouse, *select):
    for day in PERIODS:
        run_dbt(warehouse, "build", "--select", *select, "--exclude-resource-type", "unit_test",
                "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}')  # fmt: skip


def _expected(con) -> set[tuple]:
    """(period, bureau, account) of every account's first negative record, walking the periods in order."""
    records = con.execute("""
        select period_end, 'METRO2', account_id, account_status from restricted.rpt_bureau_accounts
        union all
        select period_end, 'PBOC', account_id, rpy_status from restricted.rpt_pboc_card_accounts
        order by 1""").fetchall()
    seen, first = set(), set()
    for period, bureau, account, code in records:
        if code in NEGATIVE[bureau] and (bureau, account) not in seen:
            seen.add((bureau, account))
            first.add((period, bureau, account))
    return first


def test_notices_are_the_first_negative_records_and_are_published(extracts_data_dir, settings):
    from creditwh.load.acceptance import record_marts_verdict
    from creditwh.pipeline.extracts import publish_negative_notices
    from creditwh.quality.gate import GateResult

    warehouse = extracts_data_dir / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        # the small book's few US consumers are all current: one falls 35 days behind in February
        con.execute("""update restricted.rpt_bureau_accounts set account_status = '71', days_past_due = 35,
                       amount_past_due = 50 where period_end = ? and account_id = (
                           select min(account_id) from restricted.rpt_bureau_accounts where period_end = ?)""",
                    [PERIODS[1], PERIODS[1]])  # fmt: skip
    _build(
        warehouse, "int_person_bureau_jurisdiction", "rpt_pboc_card_accounts", "rpt_bureau_negative_notices"
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        expected = _expected(con)
        built = set(con.execute(
            "select period_end, bureau, account_id from restricted.rpt_bureau_negative_notices").fetchall())  # fmt: skip
        feb = con.execute("""select bureau, account_id, notice_name from restricted.rpt_bureau_negative_notices
                             where period_end = ? order by bureau, account_id""", [PERIODS[1]]).fetchall()  # fmt: skip
    assert built == expected
    assert {b for _, b, _ in built} == {"METRO2", "PBOC"}
    assert feb and all(name for _, _, name in feb)

    record_marts_verdict(settings, GateResult("marts_gate", PERIODS[1]))
    first = publish_negative_notices(PERIODS[1], settings)
    assert first["status"] == "published"
    (path,) = first["files"]
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["bureau"], r["account_id"], r["notice_name"]) for r in rows] == feb
    assert publish_negative_notices(PERIODS[1], settings)["status"] == "unchanged"


def test_notice_unit_test_ran(extracts_data_dir):
    warehouse = extracts_data_dir / "warehouse.duckdb"
    _build(
        warehouse, "int_person_bureau_jurisdiction", "rpt_pboc_card_accounts", "rpt_bureau_negative_notices"
    )
    result = run_dbt(warehouse, "test", "--select", "rpt_bureau_negative_notices,resource_type:unit_test")
    assert [r.node.name for r in result.result.results if str(r.status) == "pass"] == [
        "notice_only_the_first_negative_record"
    ]
