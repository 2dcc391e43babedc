"""Customer records of the card platform: clean attributes held as small integers, rendered messy on output.

A "person" may own two customer records (a duplicate keyed in at a second application): the copy shares
name, birth date and id number but gets its own keying styles, so the warehouse has to match them.
Different people never share an id number (IdIssuer): real identity numbers are unique, and a drawn number
collided at 10M accounts (thousands of resident ids held by two people).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditwh.contract import CUSTOMERS
from creditwh.simulate import messy, pools
from creditwh.simulate.arrow import (
    categories,
    dates,
    digit_matrix,
    fixed_width_strings,
    prefixed_ids,
    table,
    timestamps_us,
)
from creditwh.simulate.store import ArrayStore

CN, SSN, PASSPORT = 0, 1, 2
ID_TYPES = ["CN_RESIDENT_ID", "SSN", "PASSPORT"]

N_CN_FAMILY, N_CN_GIVEN_CHARS = len(pools.CN_FAMILY), len(pools.CN_GIVEN_CHARS)
N_CN_GIVEN = N_CN_GIVEN_CHARS * (N_CN_GIVEN_CHARS + 1)  # one or two characters
CITIES = pools.CN_CITIES + pools.US_CITIES
N_CN_CITIES = len(pools.CN_CITIES)

FIELDS = {
    "kind": (np.int8, 0),
    "family": (np.int16, 0),  # index into the family pool (CN first, then western)
    "family_style": (np.int8, 0),
    "given": (np.int16, 0),
    "given_style": (np.int8, 0),
    "birth_day": (np.int32, 0),
    "id_region": (np.int8, 0),  # CN city whose region code the resident id carries
    "id_seq": (np.int16, 0),
    "id_number": (np.int64, 0),  # SSN / passport digits
    "id_bad_check": (np.bool_, False),
    "id_style": (np.int8, 0),
    "phone": (np.int64, 0),
    "phone_style": (np.int8, 0),
    "city": (np.int8, 0),
    "house_no": (np.int16, 1),
    "street": (np.int8, 0),
    "suffix_kind": (np.int8, 0),
    "suffix_style": (np.int8, 0),
    "addr_space": (np.int8, 0),  # 0 clean, 1 double space, 2 trailing space, 3 leading space
    "line2_form": (np.int8, -1),  # -1: no second line
    "line2_no": (np.int16, 0),
    "postal_tail": (np.int16, 0),
    "updated_day": (np.int32, 0),
}


def _family_pool() -> tuple[pa.Array, pa.Array]:
    names = [(roman, None) for _, roman in pools.CN_FAMILY] + [(n, None) for n in pools.WESTERN_FAMILY]
    local = [char for char, _ in pools.CN_FAMILY] + [None] * len(pools.WESTERN_FAMILY)
    return messy.variant_pool(names), pa.array(local, type=pa.string())


def _given_pool() -> tuple[pa.Array, pa.Array]:
    names, local = [], []
    chars = pools.CN_GIVEN_CHARS
    for c1, p1 in chars:  # index c1 * (n + 1): one character; c1 * (n + 1) + 1 + c2: two characters
        names.append((p1.capitalize(), None))
        local.append(c1)
        for c2, p2 in chars:
            names.append((p1.capitalize() + p2, f"{p1.capitalize()} {p2.capitalize()}"))
            local.append(c1 + c2)
    names += [(n, n.replace(" ", "").replace("-", "")) for n in pools.WESTERN_GIVEN]
    local += [None] * len(pools.WESTERN_GIVEN)
    return messy.variant_pool(names), pa.array(local, type=pa.string())


FAMILY_VARIANTS, FAMILY_LOCAL = _family_pool()
GIVEN_VARIANTS, GIVEN_LOCAL = _given_pool()
SUFFIXES = pa.array([v for kind in pools.SUFFIX_VARIANTS for v in kind], type=pa.string())
STREETS = pa.array(pools.CN_STREETS + pools.US_STREETS, type=pa.string())
LINE2_PREFIX = pa.array([form.format("") for form in pools.LINE2_FORMS], type=pa.string())


def _choice(rng: np.random.Generator, p: tuple[float, ...], k: int) -> np.ndarray:
    return rng.choice(len(p), size=k, p=np.asarray(p) / sum(p)).astype(np.int8)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... for the occurrences of each value of groups, in row order (vectorised)."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    rank_sorted = np.arange(len(groups)) - np.repeat(starts, np.diff(np.r_[starts, len(groups)]))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = rank_sorted
    return rank


class IdIssuer:
    """Identity numbers unique by construction, deterministic, without a loop over people.

    A resident id is region + birth date + a 3-digit sequence (+ check character): the n-th person issued
    in a (region, birth date) cell gets sequence (offset(cell) + n * SEQ_STRIDE) mod 1000, a permutation of
    0..999, so no two people of a cell share one while the cell holds at most 1000 people. SSNs and
    passport numbers are the n-th term of an affine permutation of their number space."""

    SEQ_STRIDE = 337  # coprime with 1000: n -> n * stride mod 1000 is a permutation
    FIRST_DAY = -36_500  # birth days (days since 1970-01-01) the cell counters cover: 1870 to 2069
    N_DAYS = 73_000
    SSN_LOW, SSN_SPAN, SSN_STRIDE, SSN_OFFSET = 100_000_000, 800_000_000, 3**18, 123_456_789
    PASSPORT_SPAN, PASSPORT_STRIDE, PASSPORT_OFFSET = 10**8, 3**16, 31_415_926

    def __init__(self):
        self._cell_count = np.zeros(N_CN_CITIES * self.N_DAYS, dtype=np.int16)
        self._issued = {SSN: 0, PASSPORT: 0}

    def resident_sequences(self, region: np.ndarray, birth_day: np.ndarray) -> np.ndarray:
        day = birth_day.astype(np.int64) - self.FIRST_DAY
        if len(day) and (day.min() < 0 or day.max() >= self.N_DAYS):
            raise ValueError("simulated birth date outside the years the resident-id counters cover")
        cell = region.astype(np.int64) * self.N_DAYS + day
        n = self._cell_count[cell].astype(np.int64) + _rank_within(cell)
        if len(n) and n.max() >= 1000:
            raise ValueError(
                "more than 1000 simulated people share a region and birth date: no unique resident id"
            )
        np.add.at(self._cell_count, cell, 1)
        offset = (cell * 2_654_435_761) % 1000
        return ((offset + n * self.SEQ_STRIDE) % 1000).astype(np.int16)

    def numbers(self, kind: int, k: int) -> np.ndarray:
        """The next k SSNs (9 digits, 100000000..899999999) or passport numbers (8 digits)."""
        n = self._issued[kind] + np.arange(k, dtype=np.int64)
        self._issued[kind] += k
        if kind == SSN:
            return self.SSN_LOW + (self.SSN_OFFSET + n * self.SSN_STRIDE) % self.SSN_SPAN
        return (self.PASSPORT_OFFSET + n * self.PASSPORT_STRIDE) % self.PASSPORT_SPAN


class CustomerBook:
    def __init__(self, capacity: int):
        self.store = ArrayStore(FIELDS, capacity)
        self.ids = IdIssuer()

    @property
    def n(self) -> int:
        return self.store.n

    def add_people(self, rng: np.random.Generator, k: int, today: int, non_cn_share: float,
                   min_age_days: int) -> np.ndarray:  # fmt: skip
        """k new people, each with one customer record; returns their record indices."""
        s = self.store
        rows = s.append(k)
        kind = np.where(rng.random(k) < non_cn_share, rng.choice([SSN, PASSPORT], size=k, p=[0.6, 0.4]), CN)
        cn = kind == CN
        s.kind[rows] = kind
        n_western_family, n_western_given = len(pools.WESTERN_FAMILY), len(pools.WESTERN_GIVEN)
        s.family[rows] = np.where(
            cn, rng.integers(0, N_CN_FAMILY, k), N_CN_FAMILY + rng.integers(0, n_western_family, k)
        )
        two_chars = rng.random(k) < 0.7
        c1, c2 = rng.integers(0, N_CN_GIVEN_CHARS, k), rng.integers(0, N_CN_GIVEN_CHARS, k)
        cn_given = c1 * (N_CN_GIVEN_CHARS + 1) + np.where(two_chars, 1 + c2, 0)
        s.given[rows] = np.where(cn, cn_given, N_CN_GIVEN + rng.integers(0, n_western_given, k))
        s.family_style[rows] = _choice(rng, messy.NAME_STYLE_P, k)
        s.given_style[rows] = _choice(rng, messy.NAME_STYLE_P, k)
        # Adults: at least min_age_days old today (callers pass 18 years + the account's age).
        s.birth_day[rows] = today - min_age_days - rng.integers(0, 45 * 365, k)
        s.id_region[rows] = rng.integers(0, N_CN_CITIES, k)
        # Drawn and discarded: the numbers come from the issuer, the random stream stays as it was.
        rng.integers(0, 1000, k), rng.integers(100_000_000, 899_999_999, k), rng.integers(0, 10**8, k)
        cn_rows = np.flatnonzero(cn)
        s.id_seq[rows.start + cn_rows] = self.ids.resident_sequences(
            s.id_region[rows][cn_rows], s.birth_day[rows][cn_rows]
        )
        for other in (SSN, PASSPORT):
            holders = rows.start + np.flatnonzero(kind == other)
            s.id_number[holders] = self.ids.numbers(other, len(holders))
        s.id_bad_check[rows] = cn & (rng.random(k) < 0.015)
        s.id_style[rows] = np.where(cn, _choice(rng, messy.CN_ID_STYLE_P, k), rng.integers(0, 2, k))
        s.city[rows] = np.where(
            kind == SSN,
            N_CN_CITIES + rng.integers(0, len(pools.US_CITIES), k),
            np.where(rng.random(k) < 0.8, s.id_region[rows], rng.integers(0, N_CN_CITIES, k)),
        )
        self._new_phone(rng, rows)
        self._new_address(rng, rows)
        s.updated_day[rows] = today
        return np.arange(rows.start, rows.stop)

    def add_duplicates(self, rng: np.random.Generator, originals: np.ndarray, today: int) -> np.ndarray:
        """Second customer records for existing people: same person, keyed in differently."""
        s = self.store
        k = len(originals)
        rows = s.append(k)
        for name in FIELDS:
            getattr(s, name)[rows] = getattr(s, name)[originals]
        # Restyle at least the family name so the copy is not byte-identical.
        s.family_style[rows] = (
            s.family_style[originals] + rng.integers(1, messy.N_NAME_STYLES, k)
        ) % messy.N_NAME_STYLES
        s.given_style[rows] = _choice(rng, messy.NAME_STYLE_P, k)
        s.id_style[rows] = np.where(
            s.kind[rows] == CN, _choice(rng, messy.CN_ID_STYLE_P, k), rng.integers(0, 2, k)
        )
        moved = rng.random(k) < 0.3
        if moved.any():
            self._new_phone(rng, np.arange(rows.start, rows.stop)[moved])
        s.phone_style[rows] = np.where(moved, s.phone_style[rows], self._phone_styles(rng, s.kind[rows]))
        s.updated_day[rows] = today
        return np.arange(rows.start, rows.stop)

    def _phone_styles(self, rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
        k = len(kind)
        return np.where(
            kind == SSN, _choice(rng, messy.US_PHONE_STYLE_P, k), _choice(rng, messy.CN_PHONE_STYLE_P, k)
        )

    def _new_phone(self, rng: np.random.Generator, rows) -> None:
        s = self.store
        kind = s.kind[rows]
        k = len(kind)
        cn_mobile = 10**10 + rng.integers(3, 10, k) * 10**9 + rng.integers(0, 10**9, k)
        us_phone = rng.integers(201, 990, k) * 10**7 + rng.integers(2_000_000, 9_999_999, k)
        s.phone[rows] = np.where(kind == SSN, us_phone, cn_mobile)
        s.phone_style[rows] = self._phone_styles(rng, kind)

    def _new_address(self, rng: np.random.Generator, rows) -> None:
        s = self.store
        k = len(s.kind[rows])
        us = s.city[rows] >= N_CN_CITIES
        n_cn_streets = len(pools.CN_STREETS)
        s.house_no[rows] = rng.integers(1, 2000, k)
        s.street[rows] = np.where(
            us, n_cn_streets + rng.integers(0, len(pools.US_STREETS), k), rng.integers(0, n_cn_streets, k)
        )
        s.suffix_kind[rows] = rng.integers(0, len(pools.SUFFIX_VARIANTS), k)
        s.suffix_style[rows] = _choice(rng, pools.SUFFIX_STYLE_P, k)
        s.addr_space[rows] = _choice(rng, (0.9, 0.05, 0.03, 0.02), k)
        s.line2_form[rows] = np.where(rng.random(k) < 0.45, rng.integers(0, len(pools.LINE2_FORMS), k), -1)
        s.line2_no[rows] = rng.integers(1, 3000, k)
        s.postal_tail[rows] = rng.integers(0, 1000, k)

    def change(self, rng: np.random.Generator, rows: np.ndarray, today: int) -> None:
        """Address moves (sometimes to another city) and phone changes."""
        s = self.store
        moves = rng.random(len(rows)) < 0.6
        movers = rows[moves]
        relocate = movers[(rng.random(len(movers)) < 0.3) & (s.kind[movers] != SSN)]
        s.city[relocate] = rng.integers(0, N_CN_CITIES, len(relocate))
        self._new_address(rng, movers)
        self._new_phone(rng, rows[~moves])
        s.updated_day[rows] = today

    def render(self, rows: np.ndarray, business_day: int) -> pa.Table:
        """The customers file rows for these records (in the order given)."""
        s = self.store
        rows = np.asarray(rows, dtype=np.int64)
        k = len(rows)
        kind = s.kind[rows]
        family, given = s.family[rows].astype(np.int64), s.given[rows].astype(np.int64)
        n_styles = messy.N_NAME_STYLES
        family_name = FAMILY_VARIANTS.take(pa.array(family * n_styles + s.family_style[rows]))
        given_name = GIVEN_VARIANTS.take(pa.array(given * n_styles + s.given_style[rows]))
        local_name = pc.binary_join_element_wise(
            FAMILY_LOCAL.take(pa.array(family)), GIVEN_LOCAL.take(pa.array(given)), ""
        )
        birth_day = s.birth_day[rows]
        birth = birth_day.astype("datetime64[D]")
        yyyymmdd = (
            (birth.astype("datetime64[Y]").astype(np.int64) + 1970) * 10_000
            + (birth.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100
            + (birth - birth.astype("datetime64[M]")).astype(np.int64)
            + 1
        )
        region = np.array([int(c[2]) for c in pools.CN_CITIES], dtype=np.int64)[s.id_region[rows]]
        id_style = s.id_style[rows]
        cn_rows, ssn_rows, pp_rows = (np.flatnonzero(kind == kd) for kd in (CN, SSN, PASSPORT))
        cn_ids = messy.cn_resident_ids(
            region[cn_rows],
            yyyymmdd[cn_rows],
            s.id_seq[rows][cn_rows],
            s.id_bad_check[rows][cn_rows],
            id_style[cn_rows],
        )
        ssn_digits = digit_matrix(s.id_number[rows][ssn_rows], 9)
        ssn_ids = messy.render_templates(("ddddddddd", "ddd-dd-dddd"), ssn_digits, id_style[ssn_rows])
        passport = prefixed_ids("E", s.id_number[rows][pp_rows], 8)
        passport = pc.if_else(pa.array(id_style[pp_rows] == 1), pc.utf8_lower(passport), passport)
        id_number = messy.combine([(cn_rows, cn_ids), (ssn_rows, ssn_ids), (pp_rows, passport)], k)

        us = kind == SSN
        phone_digits = np.where(
            us[:, None],
            np.hstack([digit_matrix(s.phone[rows] % 10**10, 10), np.zeros((k, 1), np.uint8)]),
            digit_matrix(s.phone[rows], 11),
        )
        us_rows, cn_phone_rows = np.flatnonzero(us), np.flatnonzero(~us)
        mobile = messy.combine([
            (us_rows, messy.render_templates(messy.US_PHONE_TEMPLATES, phone_digits[us_rows], s.phone_style[rows][us_rows])),
            (cn_phone_rows, messy.render_templates(messy.CN_PHONE_TEMPLATES, phone_digits[cn_phone_rows],
                                                   s.phone_style[rows][cn_phone_rows])),
        ], k)  # fmt: skip

        space = s.addr_space[rows]
        blank, one = pa.array([""] * k, pa.string()), pa.array([" "] * k, pa.string())
        lead = pc.if_else(pa.array(space == 3), one, blank)
        trail = pc.if_else(pa.array(space == 2), one, blank)
        gap = pc.if_else(pa.array(space == 1), pa.array(["  "] * k, pa.string()), one)
        n_suffix_styles = len(pools.SUFFIX_STYLE_P)
        suffix = SUFFIXES.take(
            pa.array(s.suffix_kind[rows].astype(np.int64) * n_suffix_styles + s.suffix_style[rows])
        )
        line1 = pc.binary_join_element_wise(
            lead,
            pc.cast(pa.array(s.house_no[rows]), pa.string()),
            one,
            STREETS.take(pa.array(s.street[rows])),
            gap,
            suffix,
            trail,
            "",
        )
        line2_form = s.line2_form[rows]
        line2 = pc.binary_join_element_wise(
            LINE2_PREFIX.take(pa.array(np.maximum(line2_form, 0))),
            pc.cast(pa.array(s.line2_no[rows]), pa.string()),
            "",
        )
        line2 = pc.if_else(pa.array(line2_form >= 0), line2, pa.nulls(k, pa.string()))
        city = s.city[rows]
        postal_prefix = pa.array([c[3] for c in CITIES], pa.string()).take(pa.array(city))
        tail = s.postal_tail[rows]
        us_city = np.flatnonzero(city >= N_CN_CITIES)
        cn_city = np.flatnonzero(city < N_CN_CITIES)
        tail_str = messy.combine(
            [
                (us_city, fixed_width_strings(digit_matrix(tail[us_city] % 100, 2))),
                (cn_city, fixed_width_strings(digit_matrix(tail[cn_city], 3))),
            ],
            k,
        )
        postal = pc.binary_join_element_wise(postal_prefix, tail_str, "")
        # Change time: the business date plus a per-record second of the day (no wall clock).
        seconds = (rows * 7919 + s.updated_day[rows]) % 86_400
        updated_at = (business_day * 86_400 + seconds) * 1_000_000
        return table(CUSTOMERS.columns, {
            "business_date": dates(np.full(k, business_day, np.int32)),
            "customer_id": customer_ids(rows),
            "family_name": family_name,
            "given_name": given_name,
            "local_name": local_name,
            "id_type": categories(ID_TYPES, kind),
            "id_number": id_number,
            "birth_date": dates(birth_day),
            "mobile_phone": mobile,
            "address_line1": line1,
            "address_line2": line2,
            "city": categories([c[0] for c in CITIES], city),
            "state_code": categories([c[1] for c in CITIES], city),
            "postal_code": postal,
            "updated_at": timestamps_us(updated_at),
        })  # fmt: skip


def customer_ids(rows: np.ndarray) -> pa.Array:
    return prefixed_ids("C", np.asarray(rows, dtype=np.int64) + 1, 9)
