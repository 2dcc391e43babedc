"""Raw gate on a real loaded warehouse: good days pass; each critical rule, broken on purpose, stops the day
with an error naming the suite, the expectation and a failing key, and touches no earlier output."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from creditwh.quality import ValidationGateFailed, build_data_docs, run_raw_gate
from creditwh.repayment_policy import repayment_policy
from quality_helpers import execute, outbox_snapshot

POLICY = repayment_policy()


def test_good_day_passes_and_releases_the_warehouse(settings, dates):
    _assert_days_pass(settings, dates[-1:])


@pytest.mark.slow
def test_every_good_day_passes(settings, dates):
    _assert_days_pass(settings, dates)


def _assert_days_pass(settings, days):
    for day in days:
        result = run_raw_gate(day, settings)
        assert result.passed, [o.describe() for o in result.failures("critical")]
        assert result.critical_failures == 0
        assert len(result.outcomes) > 30
        assert any(o.rule == "dpd_continuity" and o.success for o in result.outcomes)
    assert result.data_docs_index is None  # a clean day builds no pages ...
    stored = list((settings.data_dir / "gx" / "validations").rglob("*.json"))
    assert len(stored) >= len(days)  # ... but every result is stored, and the site is built from them on demand
    index = build_data_docs(settings)
    assert index == settings.data_docs_dir / "index.html"
    assert f"raw_gate-{days[-1]:%Y%m%d}" in index.read_text()
    # every connection closed: the next task can open the file for writing in this very process
    duckdb.connect(str(settings.warehouse_path)).close()


# Each break: (id, SQL on the last day (? = that date; {key} = a chosen key), key query, suite, rule)
OPEN_ACCOUNT = (
    "select account_id from raw.accounts where business_date = ? and account_status = 'OPEN' "
    "and account_id in (select account_id from raw.accounts where business_date = ? - 1 "
    "and account_status = 'OPEN') order by account_id limit 1"
)
DELINQUENT_UNPAID = (
    "select a.account_id from raw.accounts a join raw.accounts y on y.account_id = a.account_id "
    "and y.business_date = a.business_date - 1 where a.business_date = ? and a.account_status = 'OPEN' "
    "and y.account_status = 'OPEN' and y.days_past_due > 0 and ? is not null "
    "and not exists (select 1 from raw.payments p where p.account_id = a.account_id and p.business_date = ?) "
    "and coalesce(a.last_payment_date, date '1900-01-01') < a.business_date order by 1 limit 1"
)
# current yesterday and today, OPEN on both days, no reversal today
CURRENT_BOTH_DAYS = (
    "select a.account_id from raw.accounts a join raw.accounts y on y.account_id = a.account_id "
    "and y.business_date = a.business_date - 1 where a.business_date = ? and a.account_status = 'OPEN' "
    "and y.account_status = 'OPEN' and y.days_past_due = 0 and a.days_past_due = 0 and ? is not null "
    "and not exists (select 1 from raw.payments p where p.account_id = a.account_id and p.business_date = ? "
    "and p.payment_type = 'REVERSAL') order by 1 limit 1"
)
PAYMENT = (
    "select payment_id from raw.payments where business_date = ? and payment_type = 'PAYMENT' "
    "and ? is not null order by 1 limit 1"
)
# any delivered customer (the last day may carry no customer changes)
CUSTOMER = "select customer_id from raw.customers where business_date <= ? order by 1 limit 1"

BREAKS = [
    (
        "account_deleted",
        "delete from raw.accounts where business_date = ? and account_id = '{key}'",
        OPEN_ACCOUNT,
        "raw_accounts",
        "no_unexplained_disappearance",
    ),
    (
        "account_deleted_totals",
        "delete from raw.accounts where business_date = ? and account_id = '{key}'",
        OPEN_ACCOUNT,
        "raw_load_batches",
        "accounts_match_manifest",
    ),
    (
        "balance_changed",
        (
            "update raw.accounts set current_balance = current_balance + 1 "
            "where business_date = ? and account_id = '{key}'"
        ),
        OPEN_ACCOUNT,
        "raw_load_batches",
        "accounts_match_manifest",
    ),
    (
        "account_duplicated",
        (
            "insert into raw.accounts select * from raw.accounts "
            "where business_date = ? and account_id = '{key}'"
        ),
        OPEN_ACCOUNT,
        "raw_accounts",
        "one_row_per_account",
    ),
    (
        "null_account_key",
        (
            "update raw.accounts set account_id = null, current_balance = current_balance "
            "where business_date = ? and account_id = '{key}'"
        ),
        OPEN_ACCOUNT,
        "raw_accounts",
        "not_null_account_id",
    ),
    (
        "orphan_payment",
        (
            "update raw.payments set account_id = 'NO-SUCH-{key}' where business_date = ? "
            "and payment_id = '{key}'"
        ),
        PAYMENT,
        "raw_payments",
        "payment_account_known",
    ),
    (
        "payment_of_other_day",
        (
            "update raw.payments set posting_date = posting_date - 1 where business_date = ? "
            "and payment_id = '{key}'"
        ),
        PAYMENT,
        "raw_payments",
        "posting_date_is_business_date",
    ),
    (
        "payment_back_dated_too_far",
        (
            "update raw.payments set effective_date = posting_date - 11 where business_date = ? "
            "and payment_id = '{key}'"
        ),
        PAYMENT,
        "raw_payments",
        "effective_date_within_backdating_window",
    ),
    (
        "payment_effective_after_posting",
        (
            "update raw.payments set effective_date = posting_date + 1 where business_date = ? "
            "and payment_id = '{key}'"
        ),
        PAYMENT,
        "raw_payments",
        "effective_date_within_backdating_window",
    ),
    (
        "account_row_of_other_day",
        (
            "update raw.accounts set business_date = business_date + 5 "
            "where business_date = ? and account_id = '{key}'"
        ),
        OPEN_ACCOUNT,
        "raw_load_batches",
        "rows_dated_other_day",
    ),
    (
        "payments_total_changed",
        (
            "update raw.payments set payment_amount = payment_amount + 0.01 "
            "where business_date = ? and payment_id = '{key}'"
        ),
        PAYMENT,
        "raw_load_batches",
        "payments_match_manifest",
    ),
    (
        "customer_row_added",
        (
            "insert into raw.customers select * replace (?::date as business_date, customer_id || '-X' as customer_id) "
            "from raw.customers where customer_id = '{key}' limit 1"
        ),
        CUSTOMER,
        "raw_load_batches",
        "customers_match_manifest",
    ),
    (
        "negative_dpd",
        ("update raw.accounts set days_past_due = -1 where business_date = ? and account_id = '{key}'"),
        OPEN_ACCOUNT,
        "raw_accounts",
        "dpd_not_negative",
    ),
    (
        "negative_cycles",
        ("update raw.accounts set cycles_past_due = -1 where business_date = ? and account_id = '{key}'"),
        OPEN_ACCOUNT,
        "raw_accounts",
        "cycles_past_due_not_negative",
    ),
    (
        "dpd_jump",
        (
            "update raw.accounts set days_past_due = days_past_due + 7 where business_date = ? "
            "and account_id = '{key}'"
        ),
        DELINQUENT_UNPAID,
        "raw_accounts",
        "dpd_continuity",
    ),
    (
        "dpd_drop_without_payment",
        ("update raw.accounts set days_past_due = 0 where business_date = ? and account_id = '{key}'"),
        DELINQUENT_UNPAID,
        "raw_accounts",
        "dpd_continuity",
    ),
    (
        "dpd_for_an_amount_within_tolerance",
        (
            "update raw.accounts set amount_past_due = 5.00 where business_date = ? and account_id = '{key}'"
        ),
        DELINQUENT_UNPAID,
        "raw_accounts",
        "past_due_above_tolerance",
    ),
    (
        "dpd_during_grace",
        (
            f"update raw.accounts set days_past_due = {POLICY.grace_days}, amount_past_due = 100 "
            "where business_date = ? and account_id = '{key}'"
        ),
        CURRENT_BOTH_DAYS,
        "raw_accounts",
        "dpd_not_within_grace",
    ),
    (
        "open_without_limit",
        ("update raw.accounts set credit_limit = 0 where business_date = ? and account_id = '{key}'"),
        OPEN_ACCOUNT,
        "raw_accounts",
        "open_account_has_limit",
    ),
    (
        "absurd_balance",
        (
            "update raw.accounts set current_balance = 99999999 where business_date = ? "
            "and account_id = '{key}'"
        ),
        OPEN_ACCOUNT,
        "raw_accounts",
        "balance_within_bounds",
    ),
    (
        "unknown_status",
        (
            "update raw.accounts set account_status = 'FROZEN' where business_date = ? "
            "and account_id = '{key}'"
        ),
        OPEN_ACCOUNT,
        "raw_accounts",
        "account_status_known",
    ),
]


@pytest.mark.parametrize(
    ("sql", "key_query", "suite", "rule"), [b[1:] for b in BREAKS], ids=[b[0] for b in BREAKS]
)
def test_each_critical_break_stops_the_day(settings, dates, sql, key_query, suite, rule):
    day = dates[-1]
    rows = execute(settings, key_query, [day] * key_query.count("?"))
    assert rows, f"no row fits {key_query!r}: the fixture data changed"
    key = rows[0][0]
    execute(settings, sql.format(key=key), [day])
    before = outbox_snapshot(settings)

    with pytest.raises(ValidationGateFailed) as failed:
        run_raw_gate(day, settings)

    message = str(failed.value)
    assert f"suite {suite}, expectation {rule}" in message
    failing = [o for o in failed.value.result.failures("critical") if (o.suite, o.rule) == (suite, rule)]
    assert failing, message
    if suite != "raw_load_batches" and rule != "not_null_account_id":  # totals name the batch, not a row
        assert key in message, message
    assert outbox_snapshot(settings) == before  # the earlier extract is untouched
    assert failed.value.result.data_docs_index.exists()  # the failure is documented


def test_missing_load_batch_is_critical(settings, dates):
    execute(settings, "delete from raw.load_batches where business_date = ?", [dates[-1]])
    with pytest.raises(
        ValidationGateFailed, match="suite raw_load_batches, expectation rows_for_business_date"
    ):
        run_raw_gate(dates[-1], settings)


def test_warning_is_recorded_and_does_not_raise(settings, dates):
    day = dates[-1]
    (key,) = execute(settings, OPEN_ACCOUNT, [day, day])[0]
    execute(
        settings,
        "update raw.accounts set status_reason = 'PAID_OFF' where business_date = ? and account_id = ?",
        [day, key],
    )
    result = run_raw_gate(day, settings)
    assert result.passed and result.warning_failures == 1
    (warning,) = result.failures("warning")
    assert warning.rule == "status_reason_fits_status" and warning.sample[0]["account_id"] == key
    html = "".join(p.read_text() for p in (settings.data_docs_dir / "validations").rglob("*.html"))
    assert "status_reason" in html


def test_dpd_drop_after_a_payment_is_a_cure(settings, dates):
    """The drop that fails without a payment passes once the platform shows a payment since yesterday."""
    day = dates[-1]
    (key,) = execute(settings, DELINQUENT_UNPAID, [day] * 3)[0]
    execute(
        settings,
        "update raw.accounts set days_past_due = 0, last_payment_date = business_date "
        "where business_date = ? and account_id = ?",
        [day, key],
    )
    result = run_raw_gate(day, settings)
    assert [o.success for o in result.outcomes if o.rule == "dpd_continuity"] == [True]


def _rule_passes(settings, day, rule: str) -> bool:
    """Whether `rule` held on the day (other rules broken by the planted row may fail the gate)."""
    try:
        result = run_raw_gate(day, settings)
    except ValidationGateFailed as failed:
        result = failed.result
    (outcome,) = [o for o in result.outcomes if o.rule == rule]
    return outcome.success


def test_tolerance_boundary(settings, dates):
    """Past due for the tolerance + 0.01 holds; for exactly the tolerance it is rejected."""
    assert POLICY.tolerance_amount >= 5  # the planted 5.00 above is within the tolerance
    day = dates[-1]
    (key,) = execute(settings, DELINQUENT_UNPAID, [day] * 3)[0]
    for amount, holds in ((POLICY.tolerance_amount + Decimal("0.01"), True), (POLICY.tolerance_amount, False)):
        execute(settings, "update raw.accounts set amount_past_due = ? where business_date = ? and account_id = ?",
                [amount, day, key])  # fmt: skip
        assert _rule_passes(settings, day, "past_due_above_tolerance") is holds, amount


def test_dpd_continuity_accepts_the_grace_jump_and_nothing_more(settings, dates):
    """From 0 yesterday, DPD may start at grace + 1 (the due date whose grace ran out), not one day later."""
    day = dates[-1]
    (key,) = execute(settings, CURRENT_BOTH_DAYS, [day] * 3)[0]
    for dpd, holds in ((POLICY.grace_days + 1, True), (POLICY.grace_days + 2, False)):
        execute(settings, "update raw.accounts set days_past_due = ? where business_date = ? and account_id = ?",
                [dpd, day, key])  # fmt: skip
        assert _rule_passes(settings, day, "dpd_continuity") is holds, dpd


# Delinquent on the first and the last day, OPEN on both, no posting after the first day: the account the
# gap tests below plant DPD values on (the day between them is removed, as a month-end-only history has it).
DELINQUENT_ACROSS_GAP = (
    "select a.account_id, y.days_past_due from raw.accounts a join raw.accounts y on y.account_id = a.account_id "
    "where a.business_date = ? and y.business_date = ? and a.account_status = 'OPEN' "
    "and y.account_status = 'OPEN' and y.days_past_due > 0 and a.days_past_due > 0 "
    "and not exists (select 1 from raw.payments p where p.account_id = a.account_id and p.business_date > y.business_date) "
    "order by 1 limit 1"
)


def _plant(settings, day, key, dpd, last_payment_date) -> None:
    execute(settings, "update raw.accounts set days_past_due = ?, last_payment_date = ? "
            "where business_date = ? and account_id = ?", [dpd, last_payment_date, day, key])  # fmt: skip


def _continuity_breaks(settings, day) -> list[str]:
    """Accounts the dpd_continuity expectation's own query returns for the day (GX runs it on the day's
    partition of raw.accounts): the cheap way to try many planted rows; the gate itself runs once below."""
    from creditwh.quality.suites_raw import RAW_ACCOUNTS

    (rule,) = [e for e in RAW_ACCOUNTS if e.meta["rule"] == "dpd_continuity"]
    query = rule.unexpected_rows_query.replace(
        "{batch}", f"(select * from raw.accounts where business_date = date '{day}')"
    )
    return [row[0] for row in execute(settings, query)]


def test_dpd_continuity_across_a_gap_reads_the_last_payment_date_for_the_postings_not_delivered(settings, dates):
    """Two snapshots e days apart with the day between not loaded (a month-end-only history): the postings in
    between are not in raw.payments, so a last_payment_date within the back-dating window before the previous
    snapshot stands for a payment (a cure, a partial cure) or for a reversal of one (a jump past the bound).
    On consecutive days the same evidence is not enough: there raw.payments holds every posting."""
    import datetime as dt

    from creditwh.contract import PAYMENT_MAX_BACKDATE_DAYS

    first, middle, last = dates
    (key, dpd_first), = execute(settings, DELINQUENT_ACROSS_GAP, [last, first])  # fmt: skip
    recent = first - dt.timedelta(days=PAYMENT_MAX_BACKDATE_DAYS - 1)
    old = first - dt.timedelta(days=PAYMENT_MAX_BACKDATE_DAYS)

    (dpd_middle,), = execute(settings, "select days_past_due from raw.accounts where business_date = ? "
                             "and account_id = ?", [middle, key])  # fmt: skip
    _plant(settings, last, key, dpd_middle, middle - dt.timedelta(days=1))  # held back, no payment since `middle`
    assert key in _continuity_breaks(settings, last)

    for table in ("load_batches", "accounts", "payments"):  # `middle` never loaded
        execute(settings, f"delete from raw.{table} where business_date = ?", [middle])
    elapsed = (last - first).days
    for dpd, last_paid, holds in (
        (dpd_first + elapsed, None, True),  # no payment: DPD grows by exactly the elapsed days
        (dpd_first, recent, True),  # held back by a payment posted in the gap, back-dated
        (dpd_first, old, False),  # no payment near the gap: DPD cannot fall behind
        (dpd_first, None, False),
        (dpd_first + elapsed + 5, recent, True),  # an unseen reversal of a recent payment
        (dpd_first + elapsed + 5, old, False),  # past the bound with nothing to reverse
    ):
        _plant(settings, last, key, dpd, last_paid)
        assert (key not in _continuity_breaks(settings, last)) is holds, (dpd, last_paid)

    with pytest.raises(ValidationGateFailed) as failed:
        run_raw_gate(last, settings)
    message = str(failed.value)
    assert "suite raw_accounts, expectation dpd_continuity" in message and f"account_id={key}" in message
    assert f"elapsed_days={elapsed}" in message


def test_a_flat_fee_above_the_schedule_is_a_warning_naming_the_charge(settings, dates):
    """A late fee above the bank's schedule (seed fee_schedule) posted on the platform: the day still loads,
    and the warning names the charge; at the schedule's amount nothing is reported."""
    from creditwh.fee_schedule import fee_schedule

    day = dates[-1]
    (key, other), = execute(settings, "select min(charge_id) filter (where charge_type = 'LATE_FEE'), "
                            "min(charge_id) filter (where charge_type = 'INTEREST' and charge_amount > 1) "
                            "from raw.charges where business_date = ?", [day])  # fmt: skip
    assert key is not None and other is not None
    late_fee = fee_schedule().amount("LATE_FEE")
    for amount, holds in ((late_fee, True), (late_fee + Decimal("0.01"), False)):
        # the interest charge gives back what the fee gains: the day's total still matches the manifest
        execute(settings, "update raw.charges set charge_amount = charge_amount + (? - (select charge_amount "
                "from raw.charges where business_date = ? and charge_id = ?)) * (case when charge_id = ? "
                "then 1 else -1 end) where business_date = ? and charge_id in (?, ?)",
                [amount, day, key, key, day, key, other])  # fmt: skip
        result = run_raw_gate(day, settings)
        assert result.passed
        (outcome,) = [o for o in result.outcomes if o.rule == "flat_fee_within_schedule"]
        assert outcome.success is holds and outcome.severity == "warning"
    assert outcome.sample[0]["charge_id"] == key
