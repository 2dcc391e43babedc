"""Customer files: complete on day 1, deltas later, joint holders present, and the mess the warehouse must clean."""

import datetime as dt
import re
from collections import defaultdict

import numpy as np
import pyarrow.compute as pc
from creditwh.simulate.messy import ID_WEIGHTS

CHECK = "10X98765432"


def _valid_cn_id(number: str) -> bool:
    digits = number[:17]
    return CHECK[sum(int(d) * int(w) for d, w in zip(digits, ID_WEIGHTS, strict=False)) % 11] == number[17].upper()


def _all_customers(snaps):
    latest = {}
    for snap in snaps:
        latest.update({r["customer_id"]: r for r in snap.customers.to_pylist()})
    return latest


def test_day_one_has_everyone_later_days_only_changes(book_45_days):
    first = book_45_days[0]
    ids = set(first.customers.column("customer_id").to_pylist())
    assert set(first.accounts.column("customer_id").to_pylist()) <= ids
    later = [s.customers.num_rows for s in book_45_days[1:]]
    assert 0 < np.mean(later) < 0.01 * len(ids)
    for snap in book_45_days[1:]:
        stamps = snap.customers.column("updated_at").to_pylist()
        assert all(dt.datetime.combine(snap.business_date, dt.time()) <= s for s in stamps)
        assert all(
            s < dt.datetime.combine(snap.business_date + dt.timedelta(days=1), dt.time()) for s in stamps
        )


def test_account_holders_and_joint_customers_exist(book_45_days):
    known = set()
    for snap in book_45_days:
        known |= set(snap.customers.column("customer_id").to_pylist())
        holders = set(snap.accounts.column("customer_id").to_pylist())
        joint = set(pc.drop_null(snap.accounts["joint_customer_id"]).to_pylist())
        assert joint and holders | joint <= known


def test_identity_numbers_and_birth_dates(book_45_days):
    customers = list(_all_customers(book_45_days).values())
    cn = [c for c in customers if c["id_type"] == "CN_RESIDENT_ID"]
    assert 0.85 < len(cn) / len(customers) < 0.97
    assert {c["id_type"] for c in customers} == {"CN_RESIDENT_ID", "SSN", "PASSPORT"}
    bad_check, lower_x = 0, 0
    for c in cn:
        number = c["id_number"].replace(" ", "")
        assert re.fullmatch(r"\d{17}[\dXx]", number), number
        assert number[6:14] == c["birth_date"].strftime("%Y%m%d")
        bad_check += not _valid_cn_id(number)
        lower_x += number.endswith("x")
        assert c["local_name"]
    assert 0.003 < bad_check / len(cn) < 0.04
    assert lower_x > 0
    assert all(c["local_name"] is None for c in customers if c["id_type"] != "CN_RESIDENT_ID")
    assert all(
        re.fullmatch(r"\d{9}|\d{3}-\d{2}-\d{4}", c["id_number"]) for c in customers if c["id_type"] == "SSN"
    )
    # adults on the day their record is delivered (a customer opening an account later may be 18 by then)
    assert all(
        (snap.business_date - c["birth_date"]).days >= 18 * 365
        for snap in book_45_days
        for c in snap.customers.select(["birth_date"]).to_pylist()
    )


def test_the_mess_exists(book_45_days):
    customers = list(_all_customers(book_45_days).values())
    full_width = [
        c for c in customers if any("\uff21" <= ch <= "\uff3a" for ch in c["family_name"] + c["given_name"])
    ]
    assert len(full_width) > 0.01 * len(customers)
    assert any(c["family_name"] != c["family_name"].strip() for c in customers)
    assert any(c["family_name"].isupper() and len(c["family_name"]) > 2 for c in customers)
    phones = [c["mobile_phone"] for c in customers]
    assert any(p.startswith("+86 ") and "-" in p for p in phones)
    assert any(p.startswith("86-") for p in phones)
    assert any(re.fullmatch(r"\d{10}", p) and p.startswith("1") for p in phones)  # CN mobile one digit short
    lines = [c["address_line1"] for c in customers]
    assert (
        any(" Rd." in a for a in lines) and any(" Road" in a for a in lines) and any("  " in a for a in lines)
    )
    # One person under two customer ids: same normalized id number, different customer ids.
    by_person = defaultdict(set)
    for c in customers:
        by_person[(c["id_type"], re.sub(r"[\s-]", "", c["id_number"]).upper())].add(c["customer_id"])
    duplicates = sum(len(ids) > 1 for ids in by_person.values())
    assert 0.01 < duplicates / len(by_person) < 0.06
