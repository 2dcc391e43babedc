"""The tables a dbt build leaves in a warehouse, for comparing two ways of building the same drops."""

from __future__ import annotations

import duckdb

BUILT_SCHEMAS = ("intermediate", "marts", "restricted")  # reporting.* records publications: not built by dbt
# Which run last wrote a row (tests/dbt/test_customer_incremental.py calls them bookkeeping too): a daily run
# stamps the rows it touched with its date, a run over the whole history stamps them with its last date.
BOOKKEEPING = {"refreshed_on", "previous_person_id"}
STAMPED = {("intermediate", "int_account_delinquency_episodes"): {"as_of_date"}}


def built_tables(warehouse) -> dict[str, list]:
    """Every table dbt built, its rows sorted, without the bookkeeping stamps."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name in ? order by all",
            [list(BUILT_SCHEMAS)],
        ).fetchall()
        rows = {}
        for schema, table in tables:
            columns = [c[0] for c in con.execute(f"select * from {schema}.{table} limit 0").description]
            kept = [c for c in columns if c not in BOOKKEEPING | STAMPED.get((schema, table), set())]
            select = ", ".join(f'"{c}"' for c in kept)
            rows[f"{schema}.{table}"] = con.execute(
                f"select {select} from {schema}.{table} order by all"
            ).fetchall()
        return rows


def differences(expected: dict, actual: dict) -> list[str]:
    """One line per table whose rows differ (both must hold the same tables)."""
    assert expected.keys() == actual.keys(), expected.keys() ^ actual.keys()
    return [
        f"{t}: {len(expected[t])} rows vs {len(actual[t])}, {len(set(expected[t]) ^ set(actual[t]))} rows differ"
        for t in expected
        if expected[t] != actual[t]
    ]
