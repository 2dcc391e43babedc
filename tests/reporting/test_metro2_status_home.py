"""One home for the Metro 2 status rule and the bureau period (issue #13).

The rule lives in dbt (macros/credit_status.sql); the fact and the bureau report both call it, and the
validator's code tables (creditwh/reporting/metro2/spec.py) are held to it here. The bureau period is the
calendar month end: the DAG's Python rule (creditwh.pipeline.daily.is_month_end) is held to what dbt built.
"""

from __future__ import annotations

import ast
import datetime as dt
import re

import duckdb
import pytest
from extracts_warehouse import DBT_PROJECT_DIR

MACROS = (DBT_PROJECT_DIR / "macros" / "credit_status.sql").read_text()


def _jinja_literal(name: str):
    """The Python-literal dict a macro of credit_status.sql spells out (`{%- set groups = {...} -%}` or
    `return({...})`)."""
    body = MACROS[MACROS.index(f"macro {name}(") :]
    body = body[: body.index("endmacro")]
    literal = re.search(r"(\{\s*'.*?\})\s*(?:\)|-?%\})", body, re.DOTALL).group(1)
    return ast.literal_eval(literal)


def test_validator_code_tables_follow_the_dbt_status_rule():
    from creditwh.reporting.metro2 import spec

    by_rating = _jinja_literal("metro2_status_by_rating")
    groups = _jinja_literal("metro2_statuses")
    assert set(by_rating) == set("0123456") <= set(spec.PAYMENT_RATING) <= set(spec.PAYMENT_HISTORY_CHARS)
    # each DPD rating's status describes the same day range as the rating itself
    for rating, status in by_rating.items():
        days = spec.PAYMENT_RATING[rating].split(" (")[0].replace("Current", "0-29 days")
        assert spec.ACCOUNT_STATUS[status].startswith(days.split(" days")[0]), (rating, status)
    assert frozenset(groups["requires_payment_rating"]) == spec.STATUSES_REQUIRING_RATING
    emitted = set(re.findall(r"then '([0-9A-Z]{2})'", MACROS)) | set(by_rating.values())
    for group in groups.values():
        emitted |= set(group)
    assert emitted <= set(spec.ACCOUNT_STATUS), emitted - set(spec.ACCOUNT_STATUS)
    assert set(spec.TRAILER_STATUS_FIELDS) == set(spec.ACCOUNT_STATUS)


@pytest.mark.slow
def test_fact_and_bureau_report_give_every_account_the_same_status(settings):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        compared, differing = con.execute("""
            select count(*), count(*) filter (where f.metro2_account_status is distinct from r.account_status)
            from restricted.rpt_bureau_accounts r
            join marts.fct_account_daily f on f.account_id = r.account_id and f.business_date = r.period_end
        """).fetchone()
        # the others are final records of accounts that left the book during the period (no period-end row)
        (not_at_end,) = con.execute("""
            select count(*) from restricted.rpt_bureau_accounts r
            where not exists (select 1 from marts.fct_account_daily f
                              where f.account_id = r.account_id and f.business_date = r.period_end)
              and r.account_status not in ('13', '64', '05', 'DF')""").fetchone()
    assert compared > 20  # two periods of the book's US consumers' accounts
    assert differing == not_at_end == 0


@pytest.mark.slow
def test_bureau_periods_are_the_month_ends_the_dag_reports(settings):
    from creditwh.pipeline.daily import is_month_end

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        flags = con.execute(
            "select distinct business_date, is_month_end from marts.fct_account_daily"
        ).fetchall()
        periods = {
            r[0]
            for r in con.execute("select distinct period_end from restricted.rpt_bureau_accounts").fetchall()
        }
    assert len(flags) >= 5 and any(f for _, f in flags) and not all(f for _, f in flags)
    assert all(is_month_end(day) == flag for day, flag in flags), flags
    assert periods == {day for day, flag in flags if flag} == {dt.date(2026, 1, 31), dt.date(2026, 2, 28)}
