"""Our file's physical framing is the framing of moov-io's variable-length sample, checked by a parse written
here from the sample's bytes alone (no project layout code): which records carry a Block Descriptor Word, where
each record's RDW and identifier sit, and that the RDW is the record's length."""

from __future__ import annotations

from datetime import datetime

from metro2_samples import FIXTURES


def frame(line: bytes) -> dict:
    """One newline-delimited physical record, cut by the moov sample's framing: the header and data records
    start with a 4-digit BDW then the 4-digit RDW; the trailer starts with its RDW."""
    if line[8:14] == b"HEADER":
        kind, rdw_at = "header", 4
    elif line[4:11] == b"TRAILER":
        kind, rdw_at = "trailer", 0
    else:  # data record: processing indicator 1 and an MMDDYYYYHHMMSS time stamp right after BDW + RDW
        datetime.strptime(line[9:23].decode(), "%m%d%Y%H%M%S")  # raises if the framing is off
        assert line[8:9] == b"1", line[:24]
        kind, rdw_at = "base", 4
    return {
        "kind": kind,
        "bdw": int(line[:4]) if rdw_at else None,
        "rdw": int(line[rdw_at : rdw_at + 4]),
        "rdw_at": rdw_at,
        "record_length": len(line) - rdw_at,
        "block_length": len(line),
    }


def structure(raw: bytes) -> list[tuple[str, int]]:
    assert not raw.endswith(b"\n")  # newline between records only
    return [(f["kind"], f["rdw_at"]) for f in map(frame, raw.split(b"\n"))]


def test_the_moov_sample_has_bdw_on_header_and_data_but_not_on_the_trailer():
    framed = [frame(line) for line in (FIXTURES / "unpacked_variable_file.dat").read_bytes().split(b"\n")]
    assert [(f["kind"], f["bdw"] is not None) for f in framed] == [
        ("header", True),
        ("base", True),
        ("trailer", False),
    ]
    assert framed[-1]["rdw"] == framed[-1]["record_length"] == 426


def test_our_file_has_the_framing_of_the_moov_sample(written):
    sample = structure((FIXTURES / "unpacked_variable_file.dat").read_bytes())
    raw = written.path.read_bytes()
    ours = structure(raw)
    # same record kinds at the same offsets: header and data records behind a BDW, the trailer not
    assert ours[0] == sample[0] and ours[-1] == sample[-1]
    assert set(ours[1:-1]) == set(sample[1:-1]) == {("base", 4)}
    assert len(ours) == written.physical_records
    for f in map(frame, raw.split(b"\n")):
        assert f["rdw"] == f["record_length"]  # RDW = record length (the sample's header and base are not)
        if f["bdw"] is not None:
            assert f["bdw"] == f["block_length"]
