"""Marts gate on marts built with SQL from the loaded raw layer (the dbt models are built elsewhere; the gate
only needs their columns): consistent marts pass, each broken reconciliation stops the day."""

from __future__ import annotations

import pytest
from creditwh.quality import ValidationGateFailed, run_marts_gate
from quality_helpers import execute, outbox_snapshot

MARTS = """
create schema if not exists marts;
create table marts.fct_account_daily as
select business_date, account_id, customer_id, product_code, branch_code,
       date_trunc('month', open_date)::date as vintage_month, account_status, current_balance, amount_past_due,
       days_past_due,
       case when account_status <> 'OPEN' then account_status when days_past_due = 0 then 'CURRENT'
            when days_past_due <= 30 then 'M1' else 'M2+' end as bucket_code,
       case when days_past_due = 0 then '11' else '71' end as metro2_account_status
from raw.accounts;
create table marts.mart_aging_daily as
select business_date, product_code, branch_code, vintage_month, bucket_code, count(*) as account_count,
       sum(current_balance) as current_balance, sum(amount_past_due) as amount_past_due
from marts.fct_account_daily group by all;
create table marts.mart_early_warning_daily as
select business_date, account_id, days_past_due * 10 as score,
       case when days_past_due >= 10 then 'high' when days_past_due > 0 then 'medium' else 'low' end as tier,
       case when days_past_due > 0 then ['DPD_RISING'] else []::varchar[] end as top_reason_codes,
       false as override_flag
from marts.fct_account_daily where account_status = 'OPEN';
-- a roll-rate matrix whose to_month_end is the test day (the real one has month ends only)
create table marts.mart_roll_rate_monthly as
with t as (
    select y.business_date as from_month_end, f.business_date as to_month_end, y.bucket_code as from_bucket,
           coalesce(f.bucket_code, 'MISSING') as to_bucket, greatest(y.current_balance, 0) as balance
    from marts.fct_account_daily y
    left join marts.fct_account_daily f on f.account_id = y.account_id and f.business_date = y.business_date + 1
    where y.business_date = (select max(business_date) - 1 from raw.accounts)
), cells as (
    select (select max(business_date) from raw.accounts) as to_month_end, from_month_end, from_bucket, to_bucket,
           count(*) as accounts, sum(balance) as opening_balance
    from t group by all
)
select *, accounts::double / sum(accounts) over (partition by from_bucket) as count_rate,
       case when sum(opening_balance) over (partition by from_bucket) > 0
            then opening_balance::double / sum(opening_balance) over (partition by from_bucket) end as balance_rate
from cells;
"""


@pytest.fixture
def marts_settings(settings):
    con_sql = [s for s in MARTS.split(";") if s.strip()]
    for statement in con_sql:
        execute(settings, statement)
    return settings


def test_consistent_marts_pass_and_bureau_is_skipped_until_it_exists(marts_settings, dates):
    result = run_marts_gate(dates[-1], marts_settings)
    assert result.passed, [o.describe() for o in result.failures("critical")]
    rules = {(o.suite, o.rule): o for o in result.outcomes}
    assert rules[("marts_aging_daily", "aging_matches_fact")].success
    assert rules[("marts_roll_rate_monthly", "count_rate_in_unit_interval")].success
    # the matrix's row sums belong to dbt (tests/roll_rate_rows_sum_to_one.sql), not to a second copy here
    assert not any("sum_to_one" in rule for _, rule in rules)
    assert rules[("marts_early_warning_daily", "high_tier_has_reason")].success
    assert rules[("marts_fct_account_daily", "fact_matches_raw_controls")].success
    assert rules[("marts_bureau_reporting", "table_exists")].skipped


MART_BREAKS = [
    (
        "aging_off_by_one_account",
        (
            "update marts.mart_aging_daily set account_count = account_count + 1 where rowid = (select min(rowid) "
            "from marts.mart_aging_daily where business_date = ?)"
        ),
        "marts_aging_daily",
        "aging_matches_fact",
    ),
    (
        "fact_lost_an_account",
        (
            "delete from marts.fct_account_daily where rowid = (select min(rowid) from marts.fct_account_daily "
            "where business_date = ?)"
        ),
        "marts_fct_account_daily",
        "fact_matches_raw_controls",
    ),
    (
        "roll_rate_above_one",
        (
            "update marts.mart_roll_rate_monthly set count_rate = 1.5 where rowid = (select min(rowid) "
            "from marts.mart_roll_rate_monthly where to_month_end = ?)"
        ),
        "marts_roll_rate_monthly",
        "count_rate_in_unit_interval",
    ),
    (
        "high_tier_without_reason",
        (
            "update marts.mart_early_warning_daily set top_reason_codes = []::varchar[] where business_date = ? "
            "and tier = 'high'"
        ),
        "marts_early_warning_daily",
        "high_tier_has_reason",
    ),
]


@pytest.mark.parametrize(
    ("sql", "suite", "rule"), [b[1:] for b in MART_BREAKS], ids=[b[0] for b in MART_BREAKS]
)
def test_each_broken_reconciliation_stops_the_day(marts_settings, dates, sql, suite, rule):
    day = dates[-1]
    execute(marts_settings, sql, [day])
    before = outbox_snapshot(marts_settings)
    with pytest.raises(ValidationGateFailed) as failed:
        run_marts_gate(day, marts_settings)
    assert f"suite {suite}, expectation {rule}" in str(failed.value)
    assert "sample:" in str(failed.value)
    assert outbox_snapshot(marts_settings) == before


def test_missing_required_mart_is_critical(settings, dates):
    """Before dbt has built the marts, the gate must not let the extracts run."""
    with pytest.raises(ValidationGateFailed, match="expectation table_exists"):
        run_marts_gate(dates[-1], settings)


def test_bureau_suite_runs_once_the_model_exists(marts_settings, dates):
    from creditwh.quality.catalog import BUREAU_REQUIRED_COLUMNS, BUREAU_TABLE

    day = dates[-1]
    columns = ", ".join(f"'x' as {c}" for c in BUREAU_REQUIRED_COLUMNS if c != "account_id")
    execute(marts_settings, f"create schema if not exists {BUREAU_TABLE.split('.')[0]}")
    execute(
        marts_settings,
        f"create table {BUREAU_TABLE} as select business_date, account_id, {columns} "
        "from marts.fct_account_daily where business_date = ?",
        [day],
    )
    execute(
        marts_settings,
        f"update {BUREAU_TABLE} set surname = null where account_id = "
        f"(select min(account_id) from {BUREAU_TABLE})",
    )
    with pytest.raises(
        ValidationGateFailed, match="suite marts_bureau_reporting, expectation bureau_requires_surname"
    ):
        run_marts_gate(day, marts_settings)
