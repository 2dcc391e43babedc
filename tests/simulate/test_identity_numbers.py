"""Different people never share an identity number; the copies of one person do (the warehouse merges them)."""

import re
from collections import defaultdict

import numpy as np
import pytest
from creditwh.simulate.customers import CN, PASSPORT, SSN, CustomerBook, IdIssuer

from .test_customers import _all_customers


def test_a_crowded_region_and_birth_date_gets_every_sequence_once_then_refuses():
    issuer = IdIssuer()
    region, day = np.zeros(400, np.int8), np.full(400, 7000, np.int32)
    issued = np.concatenate([issuer.resident_sequences(region, day) for _ in range(2)])
    issued = np.concatenate([issued, issuer.resident_sequences(region[:200], day[:200])])
    assert sorted(issued.tolist()) == list(range(1000))
    other_cell = issuer.resident_sequences(np.array([1], np.int8), np.array([7000], np.int32))
    assert len(other_cell) == 1
    with pytest.raises(ValueError, match="more than 1000"):
        issuer.resident_sequences(region[:1], day[:1])


def test_ssn_and_passport_numbers_are_a_permutation_of_their_space():
    issuer = IdIssuer()
    ssn = np.concatenate([issuer.numbers(SSN, 300_000), issuer.numbers(SSN, 1)])
    passport = issuer.numbers(PASSPORT, 300_000)
    assert len(np.unique(ssn)) == len(ssn) and ssn.min() >= 100_000_000 and ssn.max() < 900_000_000
    assert len(np.unique(passport)) == len(passport) and passport.min() >= 0 and passport.max() < 10**8


def _identities(book: CustomerBook) -> np.ndarray:
    s = book.store
    cn_key = (s.id_region.astype(np.int64) * 100_000 + s.birth_day + 50_000) * 1000 + s.id_seq
    return np.where(s.kind == CN, cn_key, -(s.id_number * 3 + s.kind))


def _book(seed: int) -> CustomerBook:
    book, rng = CustomerBook(16), np.random.default_rng(seed)
    for day in range(20_000, 20_005):  # several batches: the counters carry across calls
        book.add_people(rng, 200_000, day, 0.3, np.full(200_000, 18 * 365 + 5))
    return book


def test_a_large_book_issues_unique_numbers_deterministically():
    book = _book(3)
    ids = _identities(book)
    assert len(np.unique(ids)) == book.n == 1_000_000
    assert np.array_equal(ids, _identities(_book(3)))
    copies = book.add_duplicates(np.random.default_rng(4), np.arange(0, 1000, 7), 20_010)
    assert np.array_equal(_identities(book)[copies], ids[np.arange(0, 1000, 7)])


def _letters(name: str) -> str:
    folded = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in name)
    return re.sub(r"[^A-Z]", "", folded.upper())


def test_one_id_number_in_the_files_belongs_to_one_person(book_45_days):
    """Independent of the simulator's internals: from the rendered files, every holder of one normalized
    id number has the same name (letters only) and birth date; duplicates of a person do occur."""
    holders = defaultdict(set)
    for c in _all_customers(book_45_days).values():
        number = c["id_number"].replace(" ", "").replace("-", "").upper()
        holders[(c["id_type"], number)].add((_letters(c["family_name"] + c["given_name"]), c["birth_date"]))
    assert all(len(people) == 1 for people in holders.values())
    assert len(holders) < len(_all_customers(book_45_days))  # some numbers are held by two records
