"""The Python reader parses moov-io's test files and agrees with moov's JSON renderings field by field."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import duckdb
import pytest
from creditwh.reporting.metro2.layout import bdw_width, bdw_width_sql, split_physical_records
from creditwh.reporting.metro2.reader import parse_layout, parse_physical_record, read_metro2
from creditwh.reporting.metro2.spec import BASE, HEADER, J1, J2, SEGMENTS, TRAILER, Layout
from metro2_samples import FIXTURES

LAYOUT_OF = {"header": HEADER, "base": BASE, "trailer": TRAILER}
LAYOUT_OF.update({k.lower(): v for k, v in SEGMENTS.items()})


def snake(name: str) -> str:
    """moov's camelCase JSON key -> our field name (ecoaCode -> ecoa_code, totalStatusCode05 -> ..._05)."""
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[a-z])(?=[0-9])", "_", name)
    return s.lower()


def expected_value(layout: Layout, name: str, value):
    """Normalise a moov JSON value to what our reader returns for that field."""
    if name == "block_descriptor_word":
        return value
    kind = layout.field(name).kind
    if kind == "D":
        return datetime.fromisoformat(value).date()
    if kind == "T":
        return datetime.fromisoformat(value).replace(tzinfo=None)
    return value


def empty_value(layout: Layout, name: str):
    if name == "block_descriptor_word":
        return None
    return {"A": "", "N": 0, "M": 0, "D": None, "T": None}[layout.field(name).kind]


def assert_same(kind: str, ours: dict, theirs: dict, known: dict | None = None) -> int:
    """Every field in either rendering agrees; absent in moov's JSON (omitempty) means blank/zero.
    `known` maps a field to (ours, moov) for documented differences between moov's JSON and the bytes."""
    layout = LAYOUT_OF[kind]
    theirs = {snake(k): v for k, v in theirs.items()}
    for name, (our_value, moov_value) in (known or {}).items():
        assert (ours[name], theirs[name]) == (our_value, moov_value)
        ours = {k: v for k, v in ours.items() if k != name}
        theirs = {k: v for k, v in theirs.items() if k != name}
    unknown = set(theirs) - set(ours)
    assert not unknown, f"{kind}: moov fields we do not parse: {unknown}"
    compared = 0
    for name, value in ours.items():
        want = expected_value(layout, name, theirs[name]) if name in theirs else empty_value(layout, name)
        got = 0 if value is None and want == 0 else value
        assert got == want, f"{kind}.{name}: ours {value!r}, moov {theirs.get(name)!r}"
        compared += 1
    return compared


def assert_data_record(ours: dict, theirs: dict) -> None:
    assert_same("base", ours["base"], theirs["base"])
    for seg in (s.lower() for s in SEGMENTS):
        moov = theirs.get(seg, [])
        moov = moov if isinstance(moov, list) else [moov]
        assert len(ours[seg]) == len(moov), seg
        for a, b in zip(ours[seg], moov, strict=True):
            assert_same(seg, a, b)
    assert "unparsed" not in ours


@pytest.mark.parametrize("name", ["unpacked_fixed_file", "unpacked_variable_file"])
def test_fixture_file_matches_moov_json(name):
    ours = read_metro2(FIXTURES / f"{name}.dat")
    theirs = json.loads((FIXTURES / f"{name}.json").read_text())
    # The fixed file's header bytes say RDW 0470 (padded to the data record length); moov's JSON says 426.
    known = {"record_descriptor_word": (470, 426)} if name == "unpacked_fixed_file" else {}
    compared = assert_same("header", ours["header"], theirs["header"], known)
    assert compared == len(HEADER.fields) - len(known)  # every field but the filler, plus the BDW
    assert len(ours["data"]) == len(theirs["data"]) == 1
    for a, b in zip(ours["data"], theirs["data"], strict=True):
        assert_data_record(a, b)
    assert_same("trailer", ours["trailer"], theirs["trailer"])
    # spot checks that do not depend on the mapping code
    base = ours["data"][0]["base"]
    assert (base["account_status"], base["date_account_information"]) == ("62", date(2002, 9, 20))
    assert ours["data"][0]["j1"][0]["surname"] == "BEAUCHAMP"


def test_variable_file_block_descriptor_words():
    ours = read_metro2(FIXTURES / "unpacked_variable_file.dat")
    assert ours["header"]["block_descriptor_word"] == 496
    assert ours["data"][0]["base"]["block_descriptor_word"] == 426  # moov's own (inconsistent) test value
    assert ours["data"][0]["base"]["record_descriptor_word"] == 1000
    assert ours["trailer"]["block_descriptor_word"] is None


def test_single_record_fixtures_match_json():
    # These files are wrapped at 80 columns for reading; moov joins the lines before parsing.
    joined = "".join((FIXTURES / "base_segment.dat").read_text().splitlines())
    kind, data = parse_physical_record(joined)
    assert kind == "base"
    assert_data_record(data, json.loads((FIXTURES / "base_segment.json").read_text()))
    counts = [len(data[s]) for s in ("j1", "j2", "k1", "k2", "k3", "k4", "l1", "n1")]
    assert counts == [1, 2, 1, 1, 1, 1, 1, 1]

    kind, header = parse_physical_record("".join((FIXTURES / "header_record.dat").read_text().splitlines()))
    assert (kind, header["block_descriptor_word"]) == ("header", 430)
    assert header["reporter_name"] == "YOUR BUSINESS NAME HERE"
    kind, trailer = parse_physical_record((FIXTURES / "trailer_record.dat").read_text().replace("\n", ""))
    assert (kind, trailer["total_base_records"], trailer["block_count"]) == ("trailer", 1, 1)

    j1 = parse_layout(J1, (FIXTURES / "j1_segment.dat").read_text())
    assert (j1["surname"], j1["social_security_number"], j1["date_birth"]) == (
        "BEAUCHAMP",
        445112877,
        date(2020, 1, 2),
    )
    j2 = parse_layout(J2, (FIXTURES / "j2_segment.dat").read_text().replace("\n", ""))
    assert (j2["city"], j2["state"], j2["residence_code"]) == ("LANSING", "MI", "O")


@pytest.mark.parametrize("name", ["unpacked_fixed_file", "unpacked_variable_file"])
def test_python_and_sql_bdw_detection_agree(name, written):
    lines = split_physical_records((FIXTURES / f"{name}.dat").read_text())
    lines += split_physical_records(written.path.read_text())
    sql = duckdb.sql(f"SELECT {bdw_width_sql('l')} FROM unnest($lines) t(l)", params={"lines": lines})
    assert [w for (w,) in sql.fetchall()] == [bdw_width(line) for line in lines]
    ours = split_physical_records(written.path.read_text())
    assert [bdw_width(line) for line in ours] == [4] * (len(ours) - 1) + [0]  # none on the trailer
