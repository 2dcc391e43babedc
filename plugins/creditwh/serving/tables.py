"""What is served and in which shape: every relation of DuckDB schema `marts`, as a table of the same name in
serving schema `bi`, with the columns and types DuckDB has.

A relation is published by its run partition: the column among dbt's `run_partition_keys` (business_date,
evaluated_on, to_month_end, period_end; dbt_project.yml, read here, not restated) that it carries. A date's
run writes exactly that partition (the marts are delete+insert on it), so the date's publication copies
only it. A relation without one (the person dimension, the seeds' reference tables) is copied whole.

Schema changes are explicit: a new table is created from the DuckDB columns, a new column is added; a
column whose type changed or that disappeared is an IncompatibleSchema error naming it (the serving
table must then be migrated by hand: docs/serving.md), never a silent cast or drop.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from creditwh.config import REPO_ROOT
from creditwh.errors import PipelineError

MARTS_SCHEMA = "marts"

# DuckDB type -> the PostgreSQL type as format_type() spells it (so an existing column compares exactly)
_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(38,0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "TIME": "time without time zone",
    "INTERVAL": "interval",
    "UUID": "uuid",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


class IncompatibleSchema(PipelineError):
    """A serving table cannot take the mart's rows as they are now (a type changed, a column went away)."""


class UnservableType(PipelineError):
    """A mart column has a type the serving database is not given (lists, structs, maps, blobs)."""


@dataclass(frozen=True)
class Relation:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, PostgreSQL type) in DuckDB's order
    partition_key: str | None  # None: copied whole

    @property
    def column_names(self) -> list[str]:
        return [c for c, _ in self.columns]


@functools.cache
def run_partition_keys() -> tuple[str, ...]:
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    return tuple(project["vars"]["run_partition_keys"])


def pg_type(duckdb_type: str, where: str) -> str:
    if duckdb_type in _TYPES:
        return _TYPES[duckdb_type]
    if m := _DECIMAL.fullmatch(duckdb_type):
        return f"numeric({m[1]},{m[2]})"
    raise UnservableType(f"{where}: DuckDB type {duckdb_type} has no serving type (cast it in the model)")


def marts_relations(con) -> list[Relation]:
    """Every table and view of DuckDB schema marts, with its PostgreSQL columns and run partition."""
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [MARTS_SCHEMA],
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, pg_type(data_type, f"{MARTS_SCHEMA}.{table}.{column}")))
    relations = []
    for table, cols in columns.items():
        keys = [k for k in run_partition_keys() if k in {c for c, _ in cols}]
        if len(keys) > 1:
            raise IncompatibleSchema(f"{MARTS_SCHEMA}.{table} carries several run partition columns {keys}: "
                                     "which one its runs replace is ambiguous")  # fmt: skip
        relations.append(Relation(table, tuple(cols), keys[0] if keys else None))
    return relations


def serving_columns(pg, schema: str, table: str) -> list[tuple[str, str]] | None:
    """(column, format_type) of an existing serving table in order, or None when there is no such table."""
    rows = pg.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a "
        "join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped order by a.attnum",
        [schema, table],
    ).fetchall()
    return [(name, typ) for name, typ in rows] or None


def align_table(pg, schema: str, relation: Relation) -> list[str]:
    """Create the serving table or add its new columns (in the caller's transaction); what changed."""
    from psycopg import sql

    target = sql.Identifier(schema, relation.name)
    existing = serving_columns(pg, schema, relation.name)
    if existing is None:
        ddl = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in relation.columns
        )
        pg.execute(sql.SQL("create table {} ({})").format(target, ddl))
        if relation.partition_key:
            index = sql.Identifier(f"{relation.name}_{relation.partition_key}_idx")
            pg.execute(sql.SQL("create index {} on {} ({})").format(
                index, target, sql.Identifier(relation.partition_key)))  # fmt: skip
        return [f"created {schema}.{relation.name}"]
    have, want = dict(existing), dict(relation.columns)
    problems = [f"column {c} is {have[c]} in serving, {t} in DuckDB" for c, t in relation.columns
                if c in have and have[c] != t]  # fmt: skip
    problems += [f"column {c} ({t}) is no longer in DuckDB" for c, t in existing if c not in want]
    if problems:
        raise IncompatibleSchema(
            f"serving table {schema}.{relation.name} is incompatible with {MARTS_SCHEMA}.{relation.name}: "
            + "; ".join(problems)
            + " (migrate or drop the serving table by hand, docs/serving.md; nothing published)"
        )
    added = [(c, t) for c, t in relation.columns if c not in have]
    for column, typ in added:
        pg.execute(
            sql.SQL("alter table {} add column {} {}").format(target, sql.Identifier(column), sql.SQL(typ))
        )
    return [f"added column {schema}.{relation.name}.{c} {t}" for c, t in added]
