"""What dbt puts in the Jinja context, for sqlfluff's jinja templater (.sqlfluff: library_path).

sqlfluff renders the models with the project's own macros (load_macros_from_path) and these stand-ins for
dbt's context: a daily run's vars (so the incremental, one-date branch is the one linted), `modules`,
`exceptions`, the cross-database `dbt.*` macros the project calls and `adapter.dispatch`, rendering the
DuckDB SQL. `execute` is false, as at dbt's parse time, so no macro queries the warehouse.
"""

import datetime as _datetime
from pathlib import Path as _Path
from types import SimpleNamespace as _Namespace

import yaml as _yaml


def _project_vars():
    """The vars of dbt_project.yml, so a new var needs no second copy here."""
    with open(_Path(__file__).resolve().parents[1] / "dbt_project.yml", encoding="utf-8") as f:
        return _yaml.safe_load(f).get("vars") or {}


# a daily run: the incremental, one-date branch is the one linted
_VARS = {**_project_vars(), "business_date": "2026-01-31"}

execute = False


def var(name, default=None):
    return _VARS.get(name, default)


modules = _Namespace(datetime=_datetime)


def _raise_compiler_error(message):
    raise RuntimeError(message)


exceptions = _Namespace(raise_compiler_error=_raise_compiler_error)


def _dateadd(datepart, interval, from_date_or_timestamp):
    return f"{from_date_or_timestamp} + ({interval}) * interval 1 {datepart}"


def _datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}::timestamp, {second_date}::timestamp)"


def _date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def _listagg(measure, delimiter_text="','", order_by_clause=None, limit_num=None):
    order_by = f" {order_by_clause}" if order_by_clause else ""
    return f"string_agg({measure}, {delimiter_text}{order_by})"


dbt = _Namespace(dateadd=_dateadd, datediff=_datediff, date_trunc=_date_trunc, listagg=_listagg)


def _dispatch(macro_name, macro_namespace=None):
    if macro_name == "regex_full_match":
        return lambda expr, pattern: f"regexp_full_match({expr}, '{pattern}')"
    return lambda *args: f"{macro_name}({', '.join(str(a) for a in args)})"


adapter = _Namespace(dispatch=_dispatch)
