"""A restated date whose new result is empty leaves none of its old rows: delete+insert on business_date
deletes only the dates its new rows carry, so every model replaced per business date first clears the run's
date (macro clear_run_date, a project-wide pre-hook). Here the platform's drop of the last date is restated
as empty (every raw row of the date deleted) and the date rebuilt: no such model keeps a row of it."""

from __future__ import annotations

import duckdb
import pytest
from warehouse_build import CORE_SELECTOR, copy_warehouse, parsed_manifest, run_dbt, warehouse_env

pytestmark = pytest.mark.slow


def _replaced_per_business_date(manifest) -> list[tuple[str, str]]:
    return sorted(
        (node.schema, node.alias)
        for node in manifest.nodes.values()
        if node.resource_type == "model"
        and node.config.materialized == "incremental"
        and node.config.unique_key == "business_date"
    )


def _row_counts(con, tables: list[tuple[str, str]], day) -> dict[str, int]:
    built = {(s, t) for s, t in con.execute("select schema_name, table_name from duckdb_tables()").fetchall()}
    counts = {}
    for schema, table in tables:
        if (schema, table) in built:
            sql = f"select count(*) from {schema}.{table} where business_date = ?"
            counts[f"{schema}.{table}"] = con.execute(sql, [day]).fetchone()[0]
    return counts


def test_a_date_restated_empty_is_emptied_in_every_model_replaced_per_business_date(dbt_warehouse, tmp_path):
    copy = (
        tmp_path / dbt_warehouse.warehouse_path.name
    )  # the parsed manifest names the database by the file's stem
    copy_warehouse(dbt_warehouse.warehouse_path, copy)
    day = dbt_warehouse.business_dates[-1]
    with warehouse_env(copy):
        tables = _replaced_per_business_date(parsed_manifest("duckdb"))
        con = duckdb.connect(str(copy))
        try:
            before = _row_counts(con, tables, day)
            raw = [r[0] for r in con.execute(
                "select table_name from duckdb_columns() where schema_name = 'raw' and column_name = 'business_date'"
            ).fetchall()]  # fmt: skip
            for table in raw:
                con.execute(f"delete from raw.{table} where business_date = ?", [day])
        finally:
            con.close()
        run_dbt(["run", "--selector", CORE_SELECTOR, "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}'])
        with duckdb.connect(
            str(copy)
        ) as con:  # as dbt's in-process connection (DuckDB refuses a read-only one)
            after = _row_counts(con, tables, day)
    # the check means something: the core's models replaced per business date (fact, aging, rates, cleaned
    # customers) all held rows of the date
    assert len(before) >= 4 and all(before.values()), before
    assert {table: n for table, n in after.items() if n} == {}
