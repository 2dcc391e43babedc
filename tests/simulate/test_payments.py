"""Payment rows: reversals point at an earlier PAYMENT of the same account and return it in full."""

from collections import Counter


def test_every_reversal_returns_an_earlier_payment_of_the_same_account(book_45_days):
    payments = {}
    reversals = 0
    for snap in book_45_days:
        rows = snap.payments.to_pylist()
        for r in rows:
            assert r["posting_date"] == snap.business_date
            if r["payment_type"] == "REVERSAL":
                original = payments.get(r["reversal_of_payment_id"])
                assert original is not None, r
                assert original["payment_type"] == "PAYMENT"
                assert original["account_id"] == r["account_id"]
                assert original["posting_date"] < r["posting_date"]
                assert r["payment_amount"] == -original["payment_amount"] < 0
                assert r["return_reason"] in ("NSF", "STOP_PAYMENT", "ACCOUNT_CLOSED")
                reversals += 1
            else:
                assert (
                    r["payment_amount"] > 0
                    and r["reversal_of_payment_id"] is None
                    and r["return_reason"] is None
                )
        payments.update({r["payment_id"]: r for r in rows})
    assert reversals >= 10
    reversed_ids = Counter(
        r["reversal_of_payment_id"]
        for s in book_45_days
        for r in s.payments.to_pylist()
        if r["reversal_of_payment_id"]
    )
    assert max(reversed_ids.values()) == 1  # a payment bounces at most once


def test_payment_types_and_channels(book_45_days):
    kinds = Counter(
        (r["payment_type"], r["payment_channel"]) for s in book_45_days for r in s.payments.to_pylist()
    )
    assert kinds[("PAYMENT", "AUTOPAY")] and kinds[("PAYMENT", "ACH")] and kinds[("PAYMENT", "CARD")]
    assert sum(v for (t, _), v in kinds.items() if t == "RECOVERY") > 0


def test_reversal_reopens_the_minimum(book_45_days, accounts_by_day):
    """The day a payment bounces, what it had paid is past due again if its due date has passed."""
    reopened = 0
    for day, today in enumerate(book_45_days[1:], start=1):
        prev, now = accounts_by_day[day - 1], accounts_by_day[day]
        for r in today.payments.to_pylist():
            if r["payment_type"] == "REVERSAL" and now[r["account_id"]]["account_status"] == "OPEN":
                reopened += now[r["account_id"]]["amount_past_due"] > prev[r["account_id"]]["amount_past_due"]
    assert reopened >= 1
