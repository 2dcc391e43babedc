"""The snapshot membership rule the validation gate relies on."""

from collections import Counter

import pyarrow.compute as pc


def test_snapshot_membership_rule(book_45_days, accounts_by_day):
    left: set[str] = set()  # accounts that closed or transferred: never seen again
    statuses = Counter()
    for day, today in enumerate(book_45_days[1:], start=1):
        prev, now = accounts_by_day[day - 1], accounts_by_day[day]
        assert not (left & set(now)), "an account reappeared after leaving the book"
        for account, old in prev.items():
            if old["account_status"] in ("CLOSED", "TRANSFERRED"):
                assert account not in now
                left.add(account)
            else:  # open and charged-off accounts appear every day until they leave
                assert account in now, f"{account} ({old['account_status']}) vanished"
        for account, row in now.items():
            statuses[(row["account_status"], row["status_reason"])] += 1
            if row["account_status"] in ("CLOSED", "TRANSFERRED"):
                assert row["closed_date"] == today.business_date and row["status_reason"] is not None
            if row["account_status"] == "OPEN":
                assert row["status_reason"] is None and row["closed_date"] is None
            if row["status_reason"] == "PAID_OFF":  # recovered to zero after charge-off
                assert prev[account]["account_status"] == "CHARGED_OFF"
                assert row["current_balance"] == 0 and row["charge_off_amount"] is not None
            if account not in prev:
                assert row["open_date"] == today.business_date  # only new accounts join the book
    for expected in [("CLOSED", "PAID_OFF"), ("CLOSED", "CUSTOMER_REQUEST"), ("CLOSED", "INACTIVITY"),
                     ("TRANSFERRED", "SOLD"), ("CHARGED_OFF", "DPD_THRESHOLD"), ("CLOSED", "FRAUD"),
                     ("CHARGED_OFF", "FRAUD")]:  # fmt: skip
        assert statuses[expected] > 0, expected


def test_flags_and_joint_accounts_occur(book_45_days, accounts_by_day):
    last = list(accounts_by_day[-1].values())
    n = len(last)
    assert 0.03 < sum(r["joint_customer_id"] is not None for r in last) / n < 0.07
    assert any(r["hardship_flag"] for r in last)
    assert any(r["dispute_flag"] for r in last)
    assert any(r["fraud_flag"] for r in last)
    assert any(pc.min(s.accounts["current_balance"]).as_py() < 0 for s in book_45_days)  # credit balances
