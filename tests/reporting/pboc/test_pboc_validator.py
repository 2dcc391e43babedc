"""The PBOC validator: the real output passes; each rule rejects a record crafted to break it, naming the
account, the element and the rule code."""

from __future__ import annotations

import pytest
from pboc_files import HEADER_LINES, get_element, lines, set_element, write_lines

pytestmark = pytest.mark.slow

H, J, B, C = "AcctMthlyBlgInfSgmt", "AcctDbtInfSgmt", "AcctBsSgmt", "AcctBsInfSgmt"


def _validate(path, previous=None):
    from creditwh.reporting.pboc.validator import validate_pboc

    return validate_pboc(path, previous_path=previous)


def test_the_published_files_pass_and_hold_every_period_account(pboc_published):
    jan = _validate(pboc_published["jan"])
    feb = _validate(pboc_published["feb"], previous=pboc_published["jan"])
    assert (jan.error_count, feb.error_count) == (0, 0), (jan.samples, feb.samples)
    assert jan.records > 100 and feb.records > 100  # most of the simulated book holds a resident id


def _record(path, rpy_status="N", acct_status="1") -> int:
    """Index of the first record line with the given H RpyStatus and AcctStatus."""
    content = lines(path)
    for i in range(HEADER_LINES, len(content) - 2):
        if (
            get_element(content[i], H, "RpyStatus") == rpy_status
            and get_element(content[i], H, "AcctStatus") == acct_status
        ):
            return i
    raise AssertionError(f"no record with RpyStatus {rpy_status} and AcctStatus {acct_status}")


def _with_j_segment(line: str, **values: str) -> str:
    """Add a non-monthly segment copied from the H segment (with `values` replacing elements)."""
    names = ("AcctStatus", "AcctBal", "FiveCate", "RpyStatus", "OverdPrd", "TotOverd")
    fields = {n: get_element(line, H, n) for n in names} | {"LatRpyAmt": "0"} | values
    segment = f"<{J}>" + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items()) + f"</{J}>"
    return line.replace(f"</{H}>", f"</{H}>{segment}", 1)


def _edit(line: str, edits: list[tuple[str, str, str | None]]) -> str:
    for segment, element, value in edits:
        line = set_element(line, segment, element, value)
    return line


# (rule, element the finding names, edits of an open, paid-as-agreed record (RpyStatus N, AcctStatus 1))
CASES = [
    ("I2100H04", "AcctStatus", [(H, "AcctStatus", "6")]),
    (
        "I2100H05",
        "RpyStatus",
        [(H, "RpyStatus", "*")],
    ),  # the record has a statement balance and a payment due
    ("I2100H07", "RpyStatus", [(H, "OverdPrd", "1"), (H, "TotOverd", "5")]),
    ("I2100H09", "RpyStatus", [(H, "RpyStatus", "2")]),  # overdue status, no overdue periods or amount
    (
        "I2100H15",
        "TotOverd",
        [
            (H, "AcctStatus", "4"),
            (H, "AcctBal", "0"),
            (H, "RpyStatus", "C"),
            (H, "CloseDate", "2026-01-31"),
            (H, "OverdPrd", "1"),
            (H, "TotOverd", "3"),
        ],
    ),
    ("LNK_CLOSE", "CloseDate", [(H, "AcctStatus", "3")]),
    ("X_CLOSE_STATUS", "CloseDate", [(H, "CloseDate", "2026-01-20")]),
    ("DATE_ORDER", "FiveCateAdjDate", [(H, "FiveCateAdjDate", "1990-01-01")]),
    ("DATE_ORDER", "FiveCateAdjDate", [(H, "FiveCateAdjDate", "2026-02-15")]),  # after the report date
    (
        "X_BANDS_SUM",
        "TotOverd",
        [(H, "RpyStatus", "2"), (H, "OverdPrd", "2"), (H, "TotOverd", "10"), (H, "Oved31_60Princ", "50")],
    ),
    (
        "X_BANDS_AGE",
        "RpyStatus",
        [(H, "RpyStatus", "1"), (H, "OverdPrd", "1"), (H, "TotOverd", "10"), (H, "Oved61_90Princ", "5")],
    ),
    ("X_STATUS_PAIR", "RpyStatus", [(H, "RpyStatus", "B")]),
    (
        "X_CLOSED_BALANCE",
        "AcctBal",
        [
            (H, "AcctStatus", "4"),
            (H, "RpyStatus", "C"),
            (H, "AcctBal", "120"),
            (H, "CloseDate", "2026-01-31"),
        ],
    ),
    ("X_ID", "IDNum", [(B, "IDNum", "110105194912310021")]),  # check character of 11010519491231002X
    ("X_ID", "IDNum", [(B, "IDNum", "110105194902300029")]),  # 30 February
    ("X_MONTH", "Month", [(H, "Month", "2025-12")]),
    ("X_MONTH", "RptDate", [(B, "RptDate", "2026-01-30")]),
    ("REQUIRED", "IDNum", [(B, "IDNum", None)]),
    ("REQUIRED", "OpenDate", [(C, "OpenDate", None)]),
    ("FORMAT", "AcctBal", [(H, "AcctBal", "12.50")]),
    ("FORMAT", "SettDate", [(H, "SettDate", "2026-02-30")]),
    ("CODE", "AcctType", [(B, "AcctType", "R1")]),
    ("CODE", "RpyStatus", [(H, "RpyStatus", "Q")]),
    ("CODE", "FiveCate", [(H, "FiveCate", "7")]),
    ("CODE", "InfRecType", [(B, "InfRecType", "211")]),
    ("CODE", "IDType", [(B, "IDType", "20")]),
    ("CODE", "AcctStatus", [(H, "AcctStatus", "9")]),
    ("X_MONTH", "SettDate", [(H, "SettDate", "2026-02-01")]),
    ("FORMAT", "Month", [(H, "Month", "2026-13")]),
]


@pytest.mark.parametrize(
    ("rule", "element", "edits"), CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_each_rule_rejects_a_crafted_record(pboc_published, tmp_path, rule, element, edits):
    content = lines(pboc_published["jan"])
    i = _record(pboc_published["jan"])
    good = _validate(write_lines(tmp_path / "good.xml", content))
    assert good.error_count == 0
    acct = get_element(content[i], B, "AcctCode")
    content[i] = _edit(content[i], edits)
    report = _validate(write_lines(tmp_path / "bad.xml", content))
    assert rule in report.rules, report.samples
    assert any(
        f.rule == rule and f.acct_code == acct and f.element == element and f.line == i + 1
        for f in report.samples
    ), report.samples
    with pytest.raises(Exception, match=rule):
        report.raise_for_errors()


def test_non_monthly_segment_rules(pboc_published, tmp_path):
    content = lines(pboc_published["jan"])
    i = _record(pboc_published["jan"])
    acct = get_element(content[i], B, "AcctCode")
    content[i] = _with_j_segment(content[i], OverdPrd="1", TotOverd="5")  # N with overdue: J06
    content[i + 1] = _with_j_segment(
        content[i + 1], AcctStatus="4", RpyStatus="C", AcctBal="0"
    )  # no CloseDate
    report = _validate(write_lines(tmp_path / "bad.xml", content))
    found = {(f.rule, f.acct_code) for f in report.samples}
    assert ("I2100J06", acct) in found
    assert ("LNK_CLOSE", get_element(content[i + 1], B, "AcctCode")) in found


def test_structure_duplicates_header_and_document(pboc_published, tmp_path):
    content = lines(pboc_published["jan"])
    i = _record(pboc_published["jan"])
    start, end = content[i].index(f"<{C}>"), content[i].index(f"</{C}>") + len(f"</{C}>")
    no_basic = content[:i] + [content[i][:start] + content[i][end:]] + content[i + 1 :]
    assert "STRUCTURE" in _validate(write_lines(tmp_path / "a.xml", no_basic)).rules
    twice = content[: i + 1] + [content[i]] + content[i + 1 :]
    assert "X_DUPLICATE" in _validate(write_lines(tmp_path / "b.xml", twice)).rules
    wrong_count = tmp_path / "c.xml"
    wrong_count.write_text("\n".join(content[:i] + content[i + 1 :]), encoding="utf-8")  # header not updated
    assert "HEADER" in _validate(wrong_count).rules
    truncated = tmp_path / "d.xml"
    truncated.write_bytes(pboc_published["jan"].read_bytes()[:-40])
    assert _validate(truncated).rules == {"DOCUMENT"}


def test_an_account_open_last_month_and_absent_now_is_a_vanished_account(pboc_published, tmp_path):
    content = lines(pboc_published["feb"])
    feb_accounts = {get_element(line, B, "AcctCode"): n for n, line in enumerate(content)
                    if line.startswith("<InAcctInf>")}  # fmt: skip
    jan_open = {get_element(line, B, "AcctCode") for line in lines(pboc_published["jan"])
                if line.startswith("<InAcctInf>") and get_element(line, H, "AcctStatus") != "4"}  # fmt: skip
    acct = min(jan_open & set(feb_accounts))
    del content[feb_accounts[acct]]
    report = _validate(write_lines(tmp_path / "feb.xml", content), previous=pboc_published["jan"])
    assert [(f.rule, f.acct_code) for f in report.samples] == [("X_VANISHED", acct)]


def test_correction_and_deletion_records_are_checked(tmp_path, pboc_published):
    from creditwh.reporting.pboc.validator import validate_pboc

    line = lines(pboc_published["jan"])[_record(pboc_published["jan"])]
    acct = get_element(line, B, "AcctCode")
    segment = line[line.index(f"<{H}>") : line.index(f"</{H}>") + len(H) + 3]

    def message(record_type: str, records: list[str]) -> object:
        path = tmp_path / f"m{record_type}.xml"
        head = lines(pboc_published["jan"])[:HEADER_LINES]
        head[3] = head[3].replace("<InfRecType>210</InfRecType>", f"<InfRecType>{record_type}</InfRecType>")
        return validate_pboc(write_lines(path, [*head, *records, "</Message>", ""]))

    mdfc = (f"<InAcctMdfc><InfRecType>212</InfRecType><ModRecCode>{acct}</ModRecCode><RptDate>2026-01-31</RptDate>"
            f"<AcctType>R2</AcctType><MdfcSgmtCode>H</MdfcSgmtCode>{segment}</InAcctMdfc>")  # fmt: skip
    assert message("212", [mdfc]).error_count == 0
    assert "I2100H09" in message("212", [set_element(mdfc, H, "RpyStatus", "3")]).rules
    assert "STRUCTURE" in message("212", [mdfc.replace("<MdfcSgmtCode>H", "<MdfcSgmtCode>C")]).rules
    delete = (f"<InAcctDel><InfRecType>213</InfRecType><DelRecCode>{acct}</DelRecCode><DelSgmtCode>H</DelSgmtCode>"
              "<DelStartDate>2026-01-31</DelStartDate><DelEndDate>2026-01-31</DelEndDate></InAcctDel>")  # fmt: skip
    assert message("213", [delete]).error_count == 0
    assert (
        "FORMAT"
        in message("213", [delete.replace("<DelStartDate>2026-01-31", "<DelStartDate>2026-02-01")]).rules
    )
    whole = f"<InAcctEntDel><InfRecType>214</InfRecType><DelRecCode>{acct}</DelRecCode></InAcctEntDel>"
    assert message("214", [whole]).error_count == 0
    assert "X_DUPLICATE" in message("214", [whole, whole]).rules


# Edits inside one record line that make the document not well-formed XML (what expat refuses): the
# validator's set-based layout check must not let any through
NOT_WELL_FORMED = {
    "stray ampersand": lambda line: line.replace("</Name>", "&</Name>", 1),
    "control character": lambda line: line.replace("</Name>", "\x01</Name>", 1),
    "mismatched end tag": lambda line: line.replace("</AcctBal>", "</AcctBaI>", 1),
    "CDATA end in text": lambda line: line.replace("</Name>", "]]></Name>", 1),
    "non-character U+FFFE": lambda line: line.replace("</Name>", "\ufffe</Name>", 1),
}


@pytest.mark.parametrize("edit", NOT_WELL_FORMED.values(), ids=NOT_WELL_FORMED.keys())
def test_a_record_that_is_not_well_formed_xml_is_a_document_error(pboc_published, tmp_path, edit):
    content = lines(pboc_published["jan"])
    i = _record(pboc_published["jan"])
    content[i] = edit(content[i])
    assert _validate(write_lines(tmp_path / "bad.xml", content)).rules == {"DOCUMENT"}


def test_bytes_that_are_not_utf8_are_a_document_error(pboc_published, tmp_path):
    data = pboc_published["jan"].read_bytes()
    at = data.index(b"</Name>")
    bad = tmp_path / "bad.xml"
    bad.write_bytes(data[:at] + b"\xff" + data[at:])
    assert _validate(bad).rules == {"DOCUMENT"}


def test_well_formed_xml_the_writer_does_not_produce_is_still_read(pboc_published, tmp_path):
    """A character reference for a name's first character: well-formed XML, not the writer's spelling."""
    content = lines(pboc_published["jan"])
    i = _record(pboc_published["jan"])
    name = get_element(content[i], B, "Name")
    content[i] = set_element(content[i], B, "Name", f"&#{ord(name[0])};{name[1:]}")
    report = _validate(write_lines(tmp_path / "ref.xml", content))
    assert (report.error_count, report.records) == (0, len(content) - HEADER_LINES - 2), report.samples


def test_the_document_verdict_is_the_xml_parsers_on_randomly_damaged_files(pboc_published, tmp_path):
    """DOCUMENT is reported exactly when expat refuses the file, whichever way the validator reached it,
    for bytes spliced in at random places (markup, entities, control and non-UTF-8 bytes, line ends)."""
    import random
    from xml.parsers import expat

    def expat_refuses(data: bytes) -> bool:
        try:
            expat.ParserCreate("UTF-8").Parse(data, True)
        except expat.ExpatError:
            return True
        return False

    spliced = [b"<", b">", b"&", b"&amp;", b"&#65;", b"&bogus;", b"]]>", b"\x01", b"\x00", b"\xff", b"\xed\xa0\x80",
               "\ufffe".encode(), "\ufffd".encode(), b"\r", b"\r\n", b"\n", b"\x1f", b"<X>1</X>", b"</AcctBsSgmt>",
               b"<!-- c -->", b"<![CDATA[x]]>", b"<?pi x?>"]  # fmt: skip
    data = pboc_published["jan"].read_bytes()
    rng = random.Random(20260131)  # noqa: S311 - reproducible damage, not a secret
    verdicts = set()
    for n in range(40):
        at = rng.randrange(len(data))
        damaged = data[:at] + rng.choice(spliced) + data[at:]
        path = tmp_path / f"damaged{n}.xml"
        path.write_bytes(damaged)
        refused = expat_refuses(damaged)
        assert ("DOCUMENT" in _validate(path).rules) == refused, (at, damaged[at - 20 : at + 30])
        verdicts.add(refused)
    assert verdicts == {True, False}  # both kinds of damage were tried
