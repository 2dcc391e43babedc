"""Make GX's SQL execution engine work on DuckDB (GX issues #10738, #11579).

``SqlAlchemyExecutionEngine.execute_query`` runs the query inside ``with self.get_connection()`` and returns
the live cursor result *after* the block has closed the connection. PostgreSQL and most drivers have already
buffered the rows client-side, so the late ``fetchall()`` still works; DuckDB discards a pending result when
its connection closes, so every metric query then sees ``[]`` and GX fails with
``MetricResolutionError: list index out of range`` (or finds no batches at all).

The smallest fix: buffer the rows while the connection is still open. All statements go through
``_execute_query_with_recovery`` inside that block, so wrapping it is enough; ``freeze()()`` returns a fully
buffered ``Result`` with the same ``fetchall/fetchone/fetchmany/scalar/keys`` API. Only DuckDB connections
are buffered, every other dialect keeps GX's behaviour.

A second, smaller gap shows up once rows come back: column-map expectations (not null, unique, between …)
first ask for the table's column types. duckdb_engine inherits SQLAlchemy's PostgreSQL reflection, whose
2.1 query joins ``pg_catalog.pg_collation`` (absent in DuckDB), and GX's fallback then queries the table
*without its schema* (``SELECT * FROM accounts``) and fails. ``get_columns`` is therefore answered from
DuckDB's own information_schema.

Remove both once GX ships a native DuckDB engine (or duckdb_engine reflects on SQLAlchemy 2.1).
"""

from __future__ import annotations

import sqlalchemy as sa
from duckdb_engine import Dialect as DuckDBDialect
from great_expectations.execution_engine.sqlalchemy_execution_engine import SqlAlchemyExecutionEngine
from sqlalchemy.sql import sqltypes

_MARKER = "_creditwh_duckdb_buffered"


def _buffered(execute):
    def execute_buffered(connection, query):
        result = execute(connection, query)
        if connection.dialect.name == "duckdb" and result.returns_rows:
            return result.freeze()()  # rows fetched now, while the DuckDB connection is alive
        return result

    setattr(execute_buffered, _MARKER, execute)
    return execute_buffered


_COLUMNS = sa.text(
    "select column_name, data_type, is_nullable, column_default from information_schema.columns "
    "where table_name = :table and table_schema = coalesce(:schema, current_schema()) "
    "order by ordinal_position"
)


def _get_columns(self, connection, table_name, schema=None, **kw):
    rows = connection.execute(_COLUMNS, {"table": table_name, "schema": schema}).fetchall()
    if not rows:
        raise sa.exc.NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
    return [
        {
            "name": name,
            "type": self.ischema_names.get(data_type.split("(")[0].lower(), sqltypes.NullType)(),
            "nullable": nullable == "YES",
            "default": default,
        }
        for name, data_type, nullable, default in rows
    ]


def install() -> None:
    """Patch GX (and duckdb_engine's reflection) once per process (idempotent)."""
    current = SqlAlchemyExecutionEngine.__dict__["_execute_query_with_recovery"].__func__
    if not hasattr(current, _MARKER):
        SqlAlchemyExecutionEngine._execute_query_with_recovery = staticmethod(_buffered(current))
    if DuckDBDialect.get_columns is not _get_columns:
        DuckDBDialect._creditwh_original_get_columns = DuckDBDialect.get_columns
        DuckDBDialect.get_columns = _get_columns


def uninstall() -> None:
    """Restore GX's original method (used by the test that proves the shim is needed)."""
    current = SqlAlchemyExecutionEngine.__dict__["_execute_query_with_recovery"].__func__
    original = getattr(current, _MARKER, None)
    if original is not None:
        SqlAlchemyExecutionEngine._execute_query_with_recovery = staticmethod(original)
    if DuckDBDialect.get_columns is _get_columns:
        DuckDBDialect.get_columns = DuckDBDialect._creditwh_original_get_columns


def installed() -> bool:
    current = SqlAlchemyExecutionEngine.__dict__["_execute_query_with_recovery"].__func__
    return hasattr(current, _MARKER)
