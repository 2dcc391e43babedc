"""validate_metro2: accepts good files, reports each broken case with the right rule, field and record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from creditwh.reporting.metro2 import Metro2ValidationError, validate_metro2, write_metro2
from creditwh.reporting.metro2.spec import BASE, TRAILER, Layout
from metro2_samples import FIXTURES, HEADER, account, load_base

BDW = 4  # the writer's default layout puts a Block Descriptor Word in front of the header and data records


def bdw_of(line: str) -> int:
    return 0 if line[4:11] == "TRAILER" else BDW  # the trailer starts with its RDW (moov's framing)


def findings(report) -> set[tuple]:
    return {(f.record_number, f.account_number, f.field, f.rule, f.severity) for f in report.findings}


def rewrite(src: Path, dst: Path, line_no: int, layout: Layout, field: str, value: str) -> Path:
    """Copy `src` to `dst` with `field` of physical line `line_no` (1-based) overwritten by `value`."""
    lines = src.read_text().split("\n")
    f = layout.field(field)
    assert len(value) == f.length
    line = lines[line_no - 1]
    w = bdw_of(line)
    lines[line_no - 1] = line[: w + f.start - 1] + value + line[w + f.end :]
    dst.write_text("\n".join(lines))
    return dst


def line_of(path: Path, account_number: str) -> int:
    for i, line in enumerate(path.read_text().split("\n"), start=1):
        if BASE.field("consumer_account_number").slice(line[BDW:]).rstrip() == account_number:
            return i
    raise AssertionError(account_number)


# ------------------------------------------------------------------ fixtures from moov


def test_fixed_fixture_is_valid_with_warnings_only():
    report = validate_metro2(FIXTURES / "unpacked_fixed_file.dat")
    assert report.ok and report.data_records == 1
    # trailer totals recompute exactly; the sample has a paid collection whose DOAI is not the payment date
    # and mixed-case / '+' address text
    assert findings(report) == {
        (2, "553723456", "date_account_information", "addl_doai_1", "warning"),
        (2, "553723456", "record", "charset", "warning"),
    }


def test_variable_fixture_block_and_record_words_are_inconsistent():
    report = validate_metro2(FIXTURES / "unpacked_variable_file.dat")
    # moov's variable test file: header RDW 0426 on a 492-character record, base BDW 0426 on a 1000-character
    # block with RDW 1000 on 996 characters, and a trailer without BDW (the framing our writer follows: no
    # warning for it).
    assert not report.ok
    assert findings(report) == {
        (1, None, "record_descriptor_word", "rdw", "error"),
        (2, "553723456", "block_descriptor_word", "bdw", "error"),
        (2, "553723456", "record_descriptor_word", "rdw", "error"),
        (2, "553723456", "date_account_information", "addl_doai_1", "warning"),
        (2, "553723456", "record", "charset", "warning"),
    }
    assert report.counts[("rdw", "record_descriptor_word", "error")] == 2


def test_crlf_line_endings_are_accepted(written, tmp_path):
    crlf = tmp_path / "crlf.dat"
    crlf.write_bytes(written.path.read_bytes().replace(b"\n", b"\r\n") + b"\r\n")
    assert validate_metro2(crlf).findings == []


def test_undelimited_file_is_cut_by_rdw(written, tmp_path):
    undelimited = tmp_path / "fixed.dat"
    undelimited.write_text(written.path.read_text().replace("\n", ""))
    report = validate_metro2(undelimited)
    assert report.ok and report.findings == [] and report.data_records == 5


# ------------------------------------------------------------------ broken cases


def test_bad_record_length_and_rdw(written, tmp_path):
    lines = written.path.read_text().split("\n")
    lines[1] = lines[1][:-1]  # drop the last character of the first data record
    short = tmp_path / "short.dat"
    short.write_text("\n".join(lines))
    report = validate_metro2(short)
    errors = {(f.record_number, f.rule) for f in report.findings if f.severity == "error"}
    assert errors == {(2, "rdw"), (2, "bdw"), (2, "record_length")}

    bad_rdw = rewrite(written.path, tmp_path / "rdw.dat", 2, BASE, "record_descriptor_word", "0427")
    report = validate_metro2(bad_rdw)
    assert findings(report) == {(2, "A-9", "record_descriptor_word", "rdw", "error")}


def test_bad_status_code_is_reported_with_the_trailer_mismatch(written, tmp_path):
    n = line_of(written.path, "ACC-0")
    report = validate_metro2(rewrite(written.path, tmp_path / "s.dat", n, BASE, "account_status", "7A"))
    assert (n, "ACC-0", "account_status", "code_list", "error") in findings(report)
    assert report.rules("error") == {"code_list", "trailer_total"}  # the trailer still counts it as an 11
    with pytest.raises(Metro2ValidationError) as exc:
        report.raise_for_errors()
    message = str(exc.value)
    for part in (str(tmp_path / "s.dat"), f"record {n}", "field account_status", "rule code_list"):
        assert part in message


def test_trailer_with_a_block_descriptor_word_is_rejected(written, tmp_path):
    # The framing an independent validator refuses: it reads such a trailer's identifier as '0426TRA'.
    lines = written.path.read_text().split("\n")
    n = len(lines)
    assert lines[-1][4:11] == "TRAILER"  # as written: no BDW in front of the trailer
    lines[-1] = f"{len(lines[-1]) + 4:04d}" + lines[-1]
    old_framing = tmp_path / "old_framing.dat"
    old_framing.write_text("\n".join(lines))
    report = validate_metro2(old_framing)
    assert findings(report) == {(n, None, "block_descriptor_word", "trailer_bdw", "error")}
    assert "'0426TRA'" in report.findings[0].detail
    with pytest.raises(Metro2ValidationError) as exc:
        report.raise_for_errors()
    for part in (f"record {n}", "field block_descriptor_word", "rule trailer_bdw"):
        assert part in str(exc.value)


def test_trailer_mismatch(written, tmp_path):
    n = written.physical_records
    bad = rewrite(written.path, tmp_path / "t.dat", n, TRAILER, "total_base_records", "000000004")
    report = validate_metro2(bad)
    assert findings(report) == {(n, None, "total_base_records", "trailer_total", "error")}
    assert "trailer has 4, the records give 5" in report.findings[0].detail


def test_missing_dofd_and_zero_past_due_on_71(written, tmp_path):
    n = line_of(written.path, "ACC-1")
    no_dofd = rewrite(written.path, tmp_path / "a.dat", n, BASE, "date_first_delinquency", "00000000")
    assert findings(validate_metro2(no_dofd)) == {
        (n, "ACC-1", "date_first_delinquency", "dofd_required", "error")
    }
    no_apd = rewrite(written.path, tmp_path / "b.dat", n, BASE, "amount_past_due", "000000000")
    assert findings(validate_metro2(no_apd)) == {(n, "ACC-1", "amount_past_due", "addl_apd_1", "error")}


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("date_opened", "02302020", "date"),  # 30 February
        ("current_balance", "00000012A", "numeric"),
        ("payment_rating", "1", "payment_rating"),  # rating on a status-11 account
        ("payment_history_profile", "00B0" + "B" * 20, "php_embedded_b"),
        ("payment_history_profile", "00X0" + "B" * 20, "code_list"),
        ("ecoa_code", "4", "code_list"),  # obsolete since 2003
        ("surname", " " * 25, "required"),
        ("date_first_delinquency", "05012024", "dofd_current"),
        ("amount_past_due", "000000010", "apd_current"),
    ],
)
def test_field_level_rules(written, tmp_path, field, value, rule):
    n = line_of(written.path, "ACC-0")
    report = validate_metro2(rewrite(written.path, tmp_path / f"{field}.dat", n, BASE, field, value))
    assert findings(report) == {(n, "ACC-0", field, rule, "error")}


def test_unparseable_appended_segment(written, tmp_path):
    lines = written.path.read_text().split("\n")
    n = line_of(written.path, "ACC-3")  # has one J1: overwrite its identifier
    lines[n - 1] = lines[n - 1][: BDW + 426] + "Q9" + lines[n - 1][BDW + 428 :]
    broken = tmp_path / "seg.dat"
    broken.write_text("\n".join(lines))
    report = validate_metro2(broken)
    assert (n, "ACC-3", "segments", "segment", "error") in findings(report)
    assert report.rules("error") == {"segment", "trailer_total"}  # the J1 no longer counts


# ------------------------------------------------------------------ against the previous period


def _write(con, tmp_path: Path, name: str, rows: list[dict]) -> Path:
    load_base(con, name, rows)
    return write_metro2(con, name, None, HEADER, tmp_path / f"{name}.dat").path


def test_previous_period_rules(con, tmp_path):
    d1, d2 = date(2024, 3, 10), date(2024, 3, 20)
    late = {"amount_past_due": Decimal(100), "date_first_delinquency": d1}
    prev = _write(
        con,
        tmp_path,
        "april",
        [
            account("STEADY", account_status="71", payment_history_profile="0000", **late),
            account("DOFD", account_status="71", payment_history_profile="0000", **late),
            account("SKIP", account_status="71", payment_history_profile="0000", **late),
            account("PHP", account_status="78", payment_history_profile="1000", **late),
            account("CURED", account_status="71", payment_history_profile="0000", **late),
        ],
    )
    cur = _write(
        con,
        tmp_path,
        "may",
        [
            account("STEADY", account_status="78", payment_history_profile="10000", **late),
            account(
                "DOFD",
                account_status="78",
                payment_history_profile="10000",
                **{**late, "date_first_delinquency": d2},
            ),
            account("SKIP", account_status="80", payment_history_profile="10000", **late),
            account("PHP", account_status="80", payment_history_profile="11000", **late),  # should start '2'
            account("CURED", account_status="11", payment_history_profile="10000"),
        ],
    )
    assert validate_metro2(prev).ok and validate_metro2(cur).ok  # each file is fine on its own
    report = validate_metro2(cur, previous_path=prev)
    assert findings(report) == {
        (line_of(cur, "DOFD"), "DOFD", "date_first_delinquency", "prog_dofd_1", "error"),
        (line_of(cur, "SKIP"), "SKIP", "account_status", "prog_status_1", "error"),
        (line_of(cur, "PHP"), "PHP", "payment_history_profile", "9_4A", "error"),
    }
    assert "previous status 78 implies PHP first character '2', found '1'" in {
        f.detail for f in report.findings
    }


@pytest.mark.parametrize(
    ("previous_date", "current_date", "flagged"),
    [
        (date(2024, 4, 30), date(2024, 5, 31), {"JUMP3"}),  # 31 days: DPD 89 -> 120 is real (78 -> 82)
        (date(2024, 5, 1), date(2024, 5, 31), {"JUMP2", "JUMP3"}),  # 30 days: 60-89 cannot reach 120
    ],
)
def test_status_progression_allows_what_the_elapsed_days_allow(
    con, tmp_path, previous_date, current_date, flagged
):
    late = {"amount_past_due": Decimal(100), "date_first_delinquency": date(2024, 2, 1)}

    def period(name, as_of, php, statuses):
        rows = [
            account(n, account_status=s, payment_history_profile=php, date_account_information=as_of, **late)
            for n, s in statuses
        ]
        return _write(con, tmp_path, name, rows)

    prev = period("previous", previous_date, "1000", [("ONE", "78"), ("JUMP2", "78"), ("JUMP3", "78")])
    cur = period("current", current_date, "21000", [("ONE", "80"), ("JUMP2", "82"), ("JUMP3", "83")])
    report = validate_metro2(cur, previous_path=prev)
    assert {f.account_number for f in report.findings if f.rule == "prog_status_1"} == flagged
