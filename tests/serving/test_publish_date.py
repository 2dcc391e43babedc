"""creditwh.serving.publish on a copy of the served run's warehouse, into a serving database of its own:
restating replaces, a date whose marts gate did not pass is refused, schema changes are explicit."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb
import pytest
from creditwh.load.acceptance import MartsNotPassed
from creditwh.serving.publish import publish_date
from creditwh.serving.tables import IncompatibleSchema
from serving_db import ADMIN, connect, serving_database

pytestmark = pytest.mark.slow


@pytest.fixture
def copy(served_run, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(served_run.warehouse, warehouse)
    with serving_database() as target:
        yield warehouse, target, served_run.dates


def _duckdb(warehouse, sql: str, params=None):
    con = duckdb.connect(str(warehouse))
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _fact(warehouse, day: dt.date):
    return _duckdb(
        warehouse,
        "select account_id, current_balance, bucket_code from marts.fct_account_daily "
        "where business_date = ? order by account_id",
        [day],
    )


def _served_fact(database: str, day: dt.date):
    with connect(database, ADMIN) as pg:
        return pg.execute(
            "select account_id, current_balance, bucket_code from bi.fct_account_daily "
            "where business_date = %s order by account_id",
            [day],
        ).fetchall()


def test_restating_a_date_replaces_its_rows_and_leaves_the_others(copy, tmp_path):
    warehouse, target, dates = copy
    day, other = dates[1], dates[0]
    for d in (other, day, day):  # publishing a date twice does not duplicate it
        publish_date(warehouse, tmp_path / "work", target, d)
    assert _served_fact(target.database, day) == _fact(warehouse, day)
    before_other = _served_fact(target.database, other)

    # the date restated: accounts gone, balances changed (as a rebuild of a corrected drop leaves it)
    _duckdb(
        warehouse,
        "delete from marts.fct_account_daily where business_date = ? and account_id like '%1'",
        [day],
    )
    _duckdb(
        warehouse,
        "update marts.fct_account_daily set current_balance = current_balance + 1 where business_date = ?",
        [day],
    )
    publish_date(warehouse, tmp_path / "work", target, day)
    restated = _served_fact(target.database, day)
    assert restated == _fact(warehouse, day) and 0 < len(restated) < len(before_other)
    assert _served_fact(target.database, other) == before_other


def test_a_date_whose_marts_gate_did_not_pass_is_refused_and_nothing_changes(copy, tmp_path):
    warehouse, target, dates = copy
    publish_date(warehouse, tmp_path / "work", target, dates[0])
    _duckdb(
        warehouse,
        "delete from reporting.gate_results where gate = 'marts_gate' and business_date = ?",
        [dates[1]],
    )
    with pytest.raises(MartsNotPassed):
        publish_date(warehouse, tmp_path / "work", target, dates[1])
    assert _served_fact(target.database, dates[1]) == []
    assert _served_fact(target.database, dates[0]) == _fact(warehouse, dates[0])


def test_a_new_column_is_added_and_an_incompatible_change_fails_without_publishing(copy, tmp_path):
    warehouse, target, dates = copy
    publish_date(warehouse, tmp_path / "work", target, dates[0])
    _duckdb(
        warehouse, "alter table marts.mart_delinquency_rates add column review_note varchar default 'new'"
    )
    done = publish_date(warehouse, tmp_path / "work", target, dates[1])
    assert done["schema_changes"] == ["added column bi.mart_delinquency_rates.review_note text"]
    with connect(target.database, ADMIN) as pg:
        notes = pg.execute(
            "select business_date, review_note from bi.mart_delinquency_rates order by 1"
        ).fetchall()
    assert notes == [(dates[0], None), (dates[1], "new")]  # the earlier date keeps what it was published with

    _duckdb(warehouse, "alter table marts.fct_account_daily alter current_balance type varchar")
    with pytest.raises(
        IncompatibleSchema, match=r"bi\.fct_account_daily .*current_balance is numeric\(18,2\)"
    ):
        publish_date(warehouse, tmp_path / "work", target, dates[2])
    with connect(target.database, ADMIN) as pg:
        served = pg.execute("select count(*) from serving.publications where business_date = %s", [dates[2]])
        assert served.fetchone() == (0,)
    assert _served_fact(target.database, dates[2]) == []
