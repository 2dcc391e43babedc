"""The clear-personal-data scan: every text value of every relation in a schema, compared with the values
the card platform delivered in the clear (raw.customers), not with patterns: a masked value never equals a
clear one, a copied value always does, whatever its format.

Clear values: names (family, given, local, and the full name both ways round), id numbers, mobile phones
(as delivered and digits only), address lines, postal codes, birth dates as text (ISO, YYYYMMDD, MMDDYYYY
as Metro 2 writes them). Compared case-insensitively and trimmed; a value of 8 or more characters also
counts when it appears inside a longer text (an address in a free-text field). City and state codes are
not personal: the masked person dimension keeps them on purpose, and a clear value equal to one of them
(the family name Ma and the state code MA) is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

CLEAR_VALUES_SQL = """
create or replace temp table clear_values as
with people as (select * from wh.raw.customers),
vals as (
    select family_name as v from people union all select given_name from people
    union all select local_name from people union all select id_number from people
    union all select mobile_phone from people union all select regexp_replace(mobile_phone, '[^0-9]', '', 'g') from people
    union all select address_line1 from people union all select address_line2 from people
    union all select postal_code from people
    union all select given_name || ' ' || family_name from people union all select family_name || ' ' || given_name from people
    union all select strftime(birth_date, '%Y-%m-%d') from people union all select strftime(birth_date, '%Y%m%d') from people
    union all select strftime(birth_date, '%m%d%Y') from people
)
select distinct upper(trim(v)) as v from vals where v is not null and length(trim(v)) >= 2
    -- a value that is also a city or state code identifies nobody (the family name Ma, the state MA)
    and upper(trim(v)) not in (select upper(trim(city)) from people where city is not null
                               union all select upper(trim(state_code)) from people where state_code is not null)
"""

HITS_SQL = """
select relation, column_name, count(distinct s.v) as values_hit
from scanned s
join clear_values c on s.v = c.v or (length(c.v) >= 8 and contains(s.v, c.v))
group by all order by all
"""


def scanner(warehouse) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the clear values of the warehouse's raw.customers (the warehouse attached
    read-only as `wh`)."""
    con = duckdb.connect()
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    con.execute(CLEAR_VALUES_SQL)
    (n,) = con.execute("select count(*) from clear_values").fetchone()
    assert n > 100, "no clear customer values to scan for"
    con.execute("create temp table scanned (relation varchar, column_name varchar, v varchar)")
    return con


def text_columns_duckdb(con, schema: str) -> list[tuple[str, str]]:
    return con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = 'wh' and table_schema = ? and data_type = 'VARCHAR' order by all",
        [schema],
    ).fetchall()


def scan_duckdb_schema(con, schema: str) -> list[tuple[str, str, int]]:
    """(relation, column, clear values found) for every text column of every relation in the warehouse schema."""
    con.execute("delete from scanned")
    columns = text_columns_duckdb(con, schema)
    assert columns, f"schema {schema} has no text column to scan"
    for table, column in columns:
        con.execute(
            f"insert into scanned select distinct '{schema}.{table}', '{column}', upper(trim(\"{column}\")) "
            f'from wh.{schema}."{table}" where "{column}" is not null'
        )
    return con.execute(HITS_SQL).fetchall()


def scan_values(con, values: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, int]]:
    """The same scan over (relation, column, value) triples read elsewhere (the serving database)."""
    con.execute("delete from scanned")
    con.executemany(
        "insert into scanned values (?, ?, upper(trim(?)))", [t for t in values if t[2] is not None]
    )
    return con.execute(HITS_SQL).fetchall()


def serving_text_values(pg, schema: str) -> list[tuple[str, str, str]]:
    """Every distinct text value of every table in a serving (PostgreSQL) schema."""
    columns = pg.execute(
        "select table_name, column_name from information_schema.columns where table_schema = %s "
        "and data_type in ('text', 'character varying') order by 1, 2",
        [schema],
    ).fetchall()
    assert columns, f"serving schema {schema} has no text column to scan"
    values = []
    for table, column in columns:
        rows = pg.execute(f'select distinct "{column}" from {schema}."{table}"').fetchall()
        values += [(f"{schema}.{table}", column, v) for (v,) in rows]
    return values
