"""The shim is what makes GX's SQL path work on DuckDB: without it a row count fails, with it it is right."""

from __future__ import annotations

import duckdb
import great_expectations as gx
import pytest
from creditwh.quality import duckdb_shim


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "shim.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute("create table raw.t as select i as id, i % 7 as v from range(1234) r(i)")
    con.close()
    return path


def _validate_row_count(path, expected: int):
    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(name="db", connection_string=f"duckdb:///{path}")
    batch = (
        source.add_table_asset(name="t", table_name="t", schema_name="raw")
        .add_batch_definition_whole_table("all")
        .get_batch()
    )
    try:
        return batch.validate(gx.expectations.ExpectTableRowCountToEqual(value=expected))
    finally:
        source.get_execution_engine().close()


def test_row_count_fails_without_shim_and_passes_with_it(small_db):
    was_installed = duckdb_shim.installed()
    duckdb_shim.uninstall()
    try:
        # GX reads the cursor after closing its DuckDB connection: the rows are gone (GX #10738/#11579).
        broken = _validate_row_count(small_db, 1234)
        assert not broken.success
        assert "list index out of range" in str(broken.exception_info)

        duckdb_shim.install()
        assert duckdb_shim.installed()
        good = _validate_row_count(small_db, 1234)
        assert good.success
        assert good.result["observed_value"] == 1234
        # and it really counts: a wrong expectation fails with the true count observed
        wrong = _validate_row_count(small_db, 1000)
        assert not wrong.success and wrong.result["observed_value"] == 1234
    finally:
        duckdb_shim.uninstall()
        if was_installed:
            duckdb_shim.install()


def test_install_is_idempotent():
    duckdb_shim.install()
    duckdb_shim.install()
    assert duckdb_shim.installed()
    duckdb_shim.uninstall()
    assert not duckdb_shim.installed()
    duckdb_shim.install()
