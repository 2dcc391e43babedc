"""Bureau feedback end to end on the extracts warehouse: a published period, a feedback file rejecting two
records, the next publication re-sending exactly those (Metro 2 correction records; PBOC 210 again), the
rejections table showing them corrected, re-loading and re-publishing as no-ops, bad files refused by rule."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest
from extracts_warehouse import run_dbt

pytestmark = pytest.mark.slow

JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)
METRO2_JAN = "metro2_20260131.dat"
PBOC_JAN = "pboc_r2_20260131.xml"


def _con(settings, read_only=True):
    return duckdb.connect(str(settings.warehouse_path), read_only=read_only)


def write_feedback(path, header: dict, rows: list[dict]):
    lines = [{"type": "header", "format_version": "1", **header}] + [{"type": "rejection", **r} for r in rows]
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return path


def _records(settings, extract, period, name) -> int:
    manifest = settings.outbox_dir / extract / f"{period:%Y-%m-%d}" / (name + ".manifest.json")
    return json.loads(manifest.read_text())["record_count"]


def _metro2_feedback(settings, tmp_path, accounts, **header):
    rows = [{"record_key": accounts[0], "field": "amount_past_due", "error_code": "R027",
             "message": "Amount Past Due greater than Current Balance"},
            {"record_key": accounts[0], "field": "J1.surname", "error_code": "R110", "message": "surname blank"},
            {"record_key": accounts[1], "field": "date_opened", "error_code": "R004",
             "message": "Date Opened after Date of Account Information"}]  # fmt: skip
    head = {"bureau": "METRO2", "submitted_file": METRO2_JAN, "period_end": "2026-01-31",
            "received_on": "2026-02-03", "records_submitted": _records(settings, "metro2", JAN, METRO2_JAN),
            "records_rejected": len(rows), **header}  # fmt: skip
    return write_feedback(tmp_path / "metro2_20260131.feedback.jsonl", head, rows)


def _load_cli(path) -> int:
    from creditwh.cli import main

    return main(["bureau-feedback", "load", str(path)])


def _rejections(settings) -> list[tuple]:
    run_dbt(settings.warehouse_path, "build", "--select", "rpt_bureau_rejections",
            "--exclude-resource-type", "unit_test")  # fmt: skip
    with _con(settings) as con:
        return con.execute("""SELECT bureau, period_end, account_id, field, error_code, received_on, is_corrected,
                                     corrected_in_sequence
                              FROM restricted.rpt_bureau_rejections ORDER BY account_id, field""").fetchall()  # fmt: skip


def _open_by_python(settings, bureau) -> list[str]:
    from creditwh.reporting.feedback.corrections import open_rejections_sql

    with _con(settings) as con:
        return [r[0] for r in con.execute(f"SELECT DISTINCT account_id FROM ({open_rejections_sql(bureau)}) "
                                          "ORDER BY 1").fetchall()]  # fmt: skip


def test_metro2_rejected_records_go_out_as_corrections_with_the_next_publication(settings, tmp_path, capsys):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2 import read_metro2

    assert publish_bureau(JAN, settings)["status"] == "published"
    with _con(settings) as con:
        accounts = [r[0] for r in con.execute("SELECT account_id FROM reporting.bureau_published "
                                              "ORDER BY md5(account_id) LIMIT 2").fetchall()]  # fmt: skip
    assert _load_cli(_metro2_feedback(settings, tmp_path, accounts)) == 0
    assert "3 of" in capsys.readouterr().out  # the CLI's summary: rejection lines of records submitted
    before = _rejections(settings)
    assert [(r[2], r[4], r[6]) for r in before] == sorted(
        [(accounts[0], "R027", False), (accounts[0], "R110", False), (accounts[1], "R004", False)],
        key=lambda r: (r[0], {"R027": "amount_past_due", "R110": "J1.surname", "R004": "date_opened"}[r[1]]),
    )
    assert {(r[0], r[1], r[5]) for r in before} == {("METRO2", JAN, dt.date(2026, 2, 3))}
    assert _open_by_python(settings, "METRO2") == sorted(accounts)

    feb = publish_bureau(FEB, settings)  # the next publication: February, and January's corrections first
    (jan_fix,) = feb["feedback_corrections"]
    correction = settings.outbox_dir / "metro2/2026-01-31/metro2_20260131_c01.dat"
    assert jan_fix["kind"] == "correction" and jan_fix["files"] == [str(correction)]
    assert feb["status"] == "published" and feb["kind"] == "original"
    records = read_metro2(correction)["data"]
    assert sorted(r["base"]["consumer_account_number"] for r in records) == sorted(accounts)
    assert {r["base"]["correction_indicator"] for r in records} == {1}

    after = _rejections(settings)
    assert [(r[2], r[6], r[7]) for r in after] == [(r[2], True, 1) for r in before]
    assert _open_by_python(settings, "METRO2") == []
    # a second run is a no-op: nothing re-sent, no new file
    again = publish_bureau(FEB, settings)
    assert again["status"] == "unchanged" and "feedback_corrections" not in again
    assert publish_bureau(JAN, settings)["status"] == "unchanged"
    assert sorted(p.name for p in correction.parent.glob("*.dat")) == [METRO2_JAN, correction.name]


def test_pboc_rejected_210_records_are_sent_again_as_210(settings, tmp_path):
    from creditwh.pipeline.extracts import publish_pboc

    assert publish_pboc(JAN, settings)["status"] == "published"
    with _con(settings) as con:
        rejected = con.execute("SELECT account_id, acct_code FROM reporting.pboc_published "
                               "ORDER BY md5(account_id) LIMIT 2").fetchall()  # fmt: skip
    rows = [{"record_key": code, "field": "RpyStatus", "error_code": "I2100H09",
             "message": "当前还款状态为1-7时，当前逾期期数和当前逾期总额应大于0"} for _, code in rejected]  # fmt: skip
    header = {"bureau": "PBOC", "submitted_file": PBOC_JAN, "period_end": "2026-01-31", "received_on": "2026-02-05",
              "records_submitted": _records(settings, "pboc", JAN, PBOC_JAN), "records_rejected": 2}  # fmt: skip
    assert _load_cli(write_feedback(tmp_path / "pboc.jsonl", header, rows)) == 0

    feb = publish_pboc(FEB, settings)
    (jan_fix,) = feb["feedback_corrections"]
    assert jan_fix["records"] == {"210": 2, "212": 0, "213": 0, "214": 0}
    (resent,) = jan_fix["files"]
    assert resent.endswith("pboc_r2_20260131_c01_210.xml")
    text = Path(resent).read_text(encoding="utf-8")
    assert sorted(code for _, code in rejected if f"<AcctCode>{code}</AcctCode>" in text) == sorted(
        code for _, code in rejected
    )
    assert text.count("<InAcctInf>") == 2
    assert {(r[2], r[6]) for r in _rejections(settings)} == {(a, True) for a, _ in rejected}
    assert publish_pboc(FEB, settings)["status"] == "unchanged"
    assert publish_pboc(JAN, settings)["status"] == "unchanged"


def test_pboc_rejected_212_records_go_out_as_212_of_the_rejected_segment(settings, tmp_path):
    from creditwh.pipeline.extracts import publish_pboc

    publish_pboc(JAN, settings)
    model = "restricted.rpt_pboc_card_accounts"
    with _con(settings, read_only=False) as con:  # restate two January accounts: a 212 of their H segment
        restated = [r[0] for r in con.execute(f"""SELECT account_id FROM {model} WHERE period_end = ?
                    AND rpy_status = 'N' ORDER BY md5(account_id) LIMIT 2""", [JAN]).fetchall()]  # fmt: skip
        con.execute(f"""UPDATE {model} SET rpy_status = '2', overd_prd = 2, tot_overd = 45, oved31_60_princ = 45
                        WHERE period_end = ? AND account_id IN (?, ?)""", [JAN, *restated])  # fmt: skip
        codes = dict(con.execute(f"SELECT account_id, acct_code FROM {model} WHERE period_end = ? "
                                 "AND account_id IN (?, ?)", [JAN, *restated]).fetchall())  # fmt: skip
    first = publish_pboc(JAN, settings)
    assert first["records"] == {"210": 0, "212": 2, "213": 0, "214": 0}
    submitted = "pboc_r2_20260131_c01_212.xml"
    rows = [{"record_key": codes[restated[0]], "field": "OverdPrd", "error_code": "I2100H09", "message": "逾期期数"},
            {"record_key": codes[restated[1]], "field": "OpenDate", "error_code": "7101001", "message": "开户日期"}]  # fmt: skip
    header = {"bureau": "PBOC", "submitted_file": submitted, "period_end": "2026-01-31", "received_on": "2026-02-06",
              "records_submitted": _records(settings, "pboc", JAN, submitted), "records_rejected": 2}  # fmt: skip
    assert _load_cli(write_feedback(tmp_path / "pboc_212.jsonl", header, rows)) == 0

    feb = publish_pboc(FEB, settings)
    (jan_fix,) = feb["feedback_corrections"]
    assert (jan_fix["sequence"], jan_fix["records"]) == (2, {"210": 0, "212": 2, "213": 0, "214": 0})
    (resent,) = jan_fix["files"]
    records = [r for r in ET.parse(resent).getroot() if r.tag != "Header"]  # noqa: S314 - our own output
    # each account's rejected segment only: H (月度表现, OverdPrd) and C (基本信息, OpenDate)
    assert sorted((r.findtext("ModRecCode"), r.findtext("MdfcSgmtCode")) for r in records) == sorted(
        [(codes[restated[0]], "H"), (codes[restated[1]], "C")]
    )
    assert {(r[2], r[6], r[7]) for r in _rejections(settings)} == {(a, True, 2) for a in restated}
    assert publish_pboc(FEB, settings)["status"] == "unchanged"


def test_reloading_feedback_replaces_its_rows(settings, tmp_path):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.feedback import load_feedback

    publish_bureau(JAN, settings)
    with _con(settings) as con:
        accounts = [r[0] for r in con.execute("SELECT account_id FROM reporting.bureau_published "
                                              "ORDER BY account_id LIMIT 2").fetchall()]  # fmt: skip
    path = _metro2_feedback(settings, tmp_path, accounts)

    def loaded():
        with _con(settings) as con:
            return (con.execute("SELECT count(*) FROM raw.bureau_feedback_files").fetchone()[0],
                    con.execute("SELECT account_id, field, error_code FROM raw.bureau_feedback_rejections "
                                "ORDER BY ALL").fetchall())  # fmt: skip

    first = load_feedback(settings, path)
    once = loaded()
    assert load_feedback(settings, path) == first and loaded() == once and once[0] == 1 and len(once[1]) == 3
    lines = path.read_text().splitlines()  # the bureau re-sends its feedback with one rejection only
    header = json.loads(lines[0]) | {"records_rejected": 1}
    path.write_text(json.dumps(header) + "\n" + lines[3] + "\n")
    load_feedback(settings, path)
    assert loaded() == (1, [(accounts[1], "date_opened", "R004")])
    kept = sorted((settings.data_dir / "feedback/metro2/2026-01-31").iterdir())
    assert len(kept) == 2 and all(p.name.startswith(METRO2_JAN) for p in kept)  # both versions kept


def _bad_cases(accounts, submitted):
    """(rule, line, header changes, rejection rows or None for the good ones, raw text or None)."""
    good = [{"record_key": accounts[0], "field": "amount_past_due", "error_code": "R027", "message": "x"}]
    return [
        ("unknown_bureau", 1, {"bureau": "EXPERIAN"}, good, None),
        (
            "unknown_submitted_file",
            1,
            {"submitted_file": "metro2_20260228.dat", "period_end": "2026-02-28"},
            good,
            None,
        ),
        ("period_mismatch", 1, {"period_end": "2026-01-30"}, good, None),
        ("file_name", 1, {"submitted_file": "bureau.dat"}, good, None),
        ("submitted_count", 1, {"records_submitted": submitted + 1}, good, None),
        ("rejected_count", 1, {"records_rejected": 2}, good, None),
        ("header_field", 1, {"received_on": "03/02/2026"}, good, None),
        ("unknown_account", 2, {}, [{**good[0], "record_key": "NOT-AN-ACCOUNT"}], None),
        ("bad_error_code", 2, {}, [{**good[0], "error_code": "r-27 bad"}], None),
        ("unknown_field", 2, {}, [{**good[0], "field": "AcctBal"}], None),
        ("row_field", 2, {}, [{**good[0], "message": " "}], None),
        ("unknown_key", 2, {}, [{**good[0], "severity": "high"}], None),
        ("duplicate_rejection", 3, {"records_rejected": 2}, good + good, None),
        ("not_json", 2, {}, None, '{"record_key": '),
        ("line_type", 2, {}, None, '{"type": "trailer"}'),
    ]


def test_bad_feedback_files_are_refused_naming_file_line_and_rule(settings, tmp_path):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.feedback import FeedbackRejected, load_feedback
    from creditwh.reporting.feedback.parser import table_exists

    publish_bureau(JAN, settings)
    with _con(settings) as con:
        accounts = [r[0] for r in con.execute("SELECT account_id FROM reporting.bureau_published "
                                              "ORDER BY account_id LIMIT 1").fetchall()]  # fmt: skip
    submitted = _records(settings, "metro2", JAN, METRO2_JAN)
    base = {"bureau": "METRO2", "submitted_file": METRO2_JAN, "period_end": "2026-01-31",
            "received_on": "2026-02-03", "records_submitted": submitted, "records_rejected": 1}  # fmt: skip
    for rule, line, changes, rows, raw in _bad_cases(accounts, submitted):
        path = tmp_path / f"{rule}.jsonl"
        write_feedback(path, {**base, **changes}, rows or [])
        if raw is not None:
            path.write_text(path.read_text() + raw + "\n")
        with pytest.raises(FeedbackRejected) as caught:
            load_feedback(settings, path)
        assert rule in caught.value.rules, (rule, str(caught.value))
        assert f"{path}, line {line}: rule '{rule}' failed" in str(caught.value), (rule, str(caught.value))
    with _con(settings) as con:  # nothing was loaded, nothing kept
        assert not table_exists(con, "raw.bureau_feedback_rejections")
    assert not (settings.data_dir / "feedback").exists()
    with pytest.raises(FeedbackRejected, match="rule 'missing' failed"):
        load_feedback(settings, tmp_path / "never_sent.jsonl")
    assert _load_cli(tmp_path / "unknown_bureau.jsonl") == 2  # the CLI: one line naming the rule, exit 2


def test_rejections_model_builds_empty_before_any_feedback_and_its_unit_test_passes(settings):
    assert _rejections(settings) == []
    run_dbt(settings.warehouse_path, "build", "--empty", "--select", "rpt_bureau_rejections",
            "--exclude-resource-type", "unit_test")  # fmt: skip
    result = run_dbt(
        settings.warehouse_path, "test", "--select", "rpt_bureau_rejections,resource_type:unit_test"
    )
    ran = {r.node.name: str(r.status) for r in result.result.results}
    assert len(ran) == 1 and set(ran.values()) == {"pass"}, ran
