"""Monthly PBOC publication from the simulated warehouse: the model against an independent recomputation,
the file read back field by field, determinism, re-runs, and corrections (212 / 213 / 214) on restatement."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from conftest import FEB, JAN
from extracts_warehouse import run_dbt
from pboc_files import read_records, segment_values

pytestmark = pytest.mark.slow


def _con(settings, read_only=True):
    return duckdb.connect(str(settings.warehouse_path), read_only=read_only)


def test_model_reports_every_resident_id_account_of_the_month_end_and_the_month_closures(settings):
    from creditwh.reporting.pboc.spec import DPD_RANGES

    with _con(settings) as con:
        for period_end in (JAN, FEB):
            expected = con.execute(
                """
                with persons as (select person_id from restricted.dim_customer_pii
                                 where id_type = 'CN_RESIDENT_ID' and id_number_is_valid
                                   and not coalesce(has_identity_conflict, false)),
                     month_end as (select account_id, person_id, fraud from (
                                    select *, account_status <> 'OPEN' and (fraud_flag or status_reason = 'FRAUD')
                                              as fraud from marts.fct_account_daily) where business_date = $p),
                     closed as (select account_id, person_id, fraud from (
                                    select *, account_status <> 'OPEN' and (fraud_flag or status_reason = 'FRAUD')
                                              as fraud from marts.fct_account_daily)
                                where business_date between cast(date_trunc('month', $p::date) as date) and $p
                                  and account_status in ('CLOSED', 'TRANSFERRED')
                                  and account_id not in (select account_id from month_end)
                                qualify row_number() over (partition by account_id order by business_date desc) = 1)
                select account_id from (select * from month_end union all select * from closed)
                where person_id in (select person_id from persons) and not coalesce(fraud, false) order by 1""",
                {"p": period_end},
            ).fetchall()
            reported = con.execute("select account_id from restricted.rpt_pboc_card_accounts where period_end = ?"
                                   " order by 1", [period_end]).fetchall()  # fmt: skip
            assert reported == expected and len(reported) > 100
        assert (
            con.execute(
                "select count(distinct period_end) from restricted.rpt_pboc_card_accounts"
            ).fetchone()[0]
            == 2
        )
        overdue = con.execute("""select rpy_status, days_past_due from restricted.rpt_pboc_card_accounts
                                 where rpy_status between '1' and '7'""").fetchall()
        classes = con.execute("""select count(*) from restricted.rpt_pboc_card_accounts r
            join marts.fct_account_daily f on f.account_id = r.account_id and f.business_date = r.period_end
            join marts.five_tier_classes s on s.five_tier_class = f.five_tier_class
            where cast(s.tier_order as varchar) <> r.five_cate""").fetchone()[0]
    assert overdue, "the simulated book has overdue accounts"
    for status, dpd in overdue:  # the PBOC scale, checked against the validator's code table
        low, high = DPD_RANGES[status]
        assert low <= dpd and (high is None or dpd <= high), (status, dpd)
    assert classes == 0


def test_dbt_unit_tests_of_the_pboc_model_pass(settings):
    result = run_dbt(
        settings.warehouse_path, "test", "--select", "rpt_pboc_card_accounts,resource_type:unit_test"
    )
    ran = {r.node.name: str(r.status) for r in result.result.results}
    assert len(ran) >= 3 and set(ran.values()) == {"pass"}, ran


def test_the_file_reads_back_field_by_field_against_the_warehouse(pboc_published):
    from creditwh.publish import sha256_file
    from creditwh.reporting.pboc.spec import SEGMENTS

    path = pboc_published["feb"]
    header, records = read_records(path)
    manifest = json.loads((path.parent / (path.name + ".manifest.json")).read_text())
    assert (manifest["sha256"], manifest["byte_size"]) == tuple(sha256_file(path))
    assert manifest["validated_against"] == "pboc_r2_20260131.xml" and manifest["record_type"] == "210"
    assert header["InfRecType"] == "210" and header["RptDate"] == "2026-02-28"
    assert header["CreateTime"] == "2026-02-28T00:00:00" and header["DataProvOrgCode"] == "TESTPBOC000001"
    with duckdb.connect(str(pboc_published["warehouse"]), read_only=True) as con:
        cursor = con.execute("select * from restricted.rpt_pboc_card_accounts where period_end = ?", [FEB])
        names = [d[0] for d in cursor.description]
        rows = {r["account_id"]: r for r in (dict(zip(names, row, strict=True)) for row in cursor.fetchall())}
    assert int(header["RecordCount"]) == len(records) == len(rows) == manifest["record_count"]
    assert manifest["control_totals"] == {"acct_bal": sum(r["acct_bal"] for r in rows.values()),
                                          "tot_overd": sum(r["tot_overd"] for r in rows.values())}  # fmt: skip
    codes = [segment_values(r, "AcctBsSgmt")["AcctCode"] for r in records]
    assert codes == sorted(codes)
    for record in records:
        row = rows[segment_values(record, "AcctBsSgmt")["AcctCode"]]
        row = {**row, "mngmt_org_code": "TESTPBOC000002"}
        for segment in SEGMENTS:
            values = segment_values(record, segment.tag)
            if segment.code == "J" and not row["has_non_monthly_segment"]:
                assert values is None
                continue
            expected = {e.name: _text(row[e.column]) for e in segment.elements if row[e.column] is not None}
            assert values == expected, (row["account_id"], segment.tag)


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def test_two_publishes_give_identical_bytes(extracts_warehouse, tmp_path):
    from creditwh.config import Settings
    from creditwh.pipeline.extracts import publish_pboc

    outputs = []
    for run in ("a", "b"):
        settings = Settings(data_dir=tmp_path / run)
        shutil.copytree(extracts_warehouse, settings.data_dir)
        publish_pboc(JAN, settings)
        folder = settings.outbox_dir / "pboc" / "2026-01-31"
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == ["pboc_r2_20260131.xml", "pboc_r2_20260131.xml.manifest.json"]


def _folder_bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rerun_is_a_no_op_and_a_restated_month_goes_out_as_212_213_214_records(settings):
    from creditwh.pipeline.extracts import publish_pboc
    from creditwh.reporting.pboc.validator import validate_pboc

    publish_pboc(JAN, settings)
    publish_pboc(FEB, settings)
    jan_folder = settings.outbox_dir / "pboc" / "2026-01-31"
    delivered = _folder_bytes(jan_folder)
    assert publish_pboc(JAN, settings)["status"] == "unchanged"
    assert _folder_bytes(jan_folder) == delivered
    model = "restricted.rpt_pboc_card_accounts"
    with _con(settings, read_only=False) as con:  # restate January: one account worse, one gone, one new
        changed, removed = (r[0] for r in con.execute(f"""
            select account_id from {model} where period_end = $j and rpy_status = 'N' and account_id in
                (select account_id from {model} where period_end = $f) order by account_id limit 2""",
            {"j": JAN, "f": FEB}).fetchall())  # fmt: skip
        con.execute(
            f"""update {model} set rpy_status = '2', overd_prd = 2, tot_overd = 45, oved31_60_princ = 45
                        where period_end = ? and account_id = ?""",
            [JAN, changed],
        )
        con.execute(f"delete from {model} where period_end = ? and account_id = ?", [JAN, removed])
        con.execute(
            f"""insert into {model} select * replace ('NEW1' as account_id, 'NEW1' as acct_code)
                        from {model} where period_end = ? and account_id = ?""",
            [JAN, changed],
        )
    result = publish_pboc(JAN, settings)
    assert (result["kind"], result["sequence"]) == ("correction", 1)
    assert result["records"] == {"210": 1, "212": 1, "213": 1, "214": 0}
    files = {p.name: p for p in jan_folder.iterdir() if not p.name.endswith(".json")}
    assert {
        n: b for n, b in _folder_bytes(jan_folder).items() if n in delivered
    } == delivered  # never rewritten
    for name, path in files.items():
        assert validate_pboc(path).error_count == 0, name
    _, (new,) = read_records(files["pboc_r2_20260131_c01_210.xml"])
    assert segment_values(new, "AcctBsSgmt")["AcctCode"] == "NEW1"
    _, (correction,) = read_records(files["pboc_r2_20260131_c01_212.xml"])
    assert (correction.findtext("ModRecCode"), correction.findtext("MdfcSgmtCode")) == (changed, "H")
    assert segment_values(correction, "AcctMthlyBlgInfSgmt")["TotOverd"] == "45"
    _, (deletion,) = read_records(files["pboc_r2_20260131_c01_213.xml"])  # Feb still holds it: segments only
    assert (deletion.findtext("DelRecCode"), deletion.findtext("DelSgmtCode")) == (removed, "H")
    assert deletion.findtext("DelStartDate") == deletion.findtext("DelEndDate") == "2026-01-31"

    with _con(settings, read_only=False) as con:  # the new account was a mistake: it has no other month
        con.execute(f"delete from {model} where period_end = ? and account_id = 'NEW1'", [JAN])
    second = publish_pboc(JAN, settings)
    assert (second["sequence"], second["records"]) == (2, {"210": 0, "212": 0, "213": 0, "214": 1})
    _, (whole,) = read_records(jan_folder / "pboc_r2_20260131_c02_214.xml")
    assert whole.findtext("DelRecCode") == "NEW1"
    assert publish_pboc(JAN, settings)["status"] == "unchanged"


def test_a_restated_day_rebuilt_by_dbt_sends_the_changed_segment(settings):
    from creditwh.pipeline.extracts import publish_pboc

    publish_pboc(JAN, settings)
    with _con(settings, read_only=False) as con:  # the platform restates 31 Jan: an account 45 days late
        account = con.execute(
            """select min(account_id) from restricted.rpt_pboc_card_accounts
                                 where period_end = ? and rpy_status = 'N'""",
            [JAN],
        ).fetchone()[0]
        con.execute(
            """update marts.fct_account_daily set days_past_due = 45, cycles_past_due = 2,
                       amount_past_due = 88.6, five_tier_class = 'SPECIAL_MENTION'
                       where business_date = ? and account_id = ?""",
            [JAN, account],
        )
    run_dbt(
        settings.warehouse_path,
        "run",
        "--select",
        "rpt_pboc_card_accounts",
        "--vars",
        '{business_date: "2026-01-31"}',
    )
    result = publish_pboc(JAN, settings)
    assert result["records"] == {"210": 0, "212": 1, "213": 0, "214": 0}
    _, (correction,) = read_records(settings.outbox_dir / "pboc/2026-01-31/pboc_r2_20260131_c01_212.xml")
    values = segment_values(correction, "AcctMthlyBlgInfSgmt")
    assert correction.findtext("ModRecCode") == account
    assert (values["RpyStatus"], values["OverdPrd"], values["TotOverd"], values["Oved31_60Princ"]) == (
        "2",
        "2",
        "88",
        "88",
    )


def test_failed_validation_publishes_nothing_and_keeps_earlier_files(settings):
    from creditwh.pipeline.extracts import publish_pboc
    from creditwh.reporting.pboc.validator import PbocValidationError

    publish_pboc(JAN, settings)
    jan_folder = settings.outbox_dir / "pboc/2026-01-31"
    before = _folder_bytes(jan_folder)
    with _con(settings, read_only=False) as con:  # an overdue status without an overdue amount (I2100H09)
        con.execute(
            """update restricted.rpt_pboc_card_accounts set rpy_status = '3', overd_prd = 0, tot_overd = 0
                       where period_end = ? and account_id = (select min(account_id)
                       from restricted.rpt_pboc_card_accounts where period_end = ?)""",
            [FEB, FEB],
        )
    with pytest.raises(PbocValidationError, match="I2100H09"):
        publish_pboc(FEB, settings)
    assert not (settings.outbox_dir / "pboc/2026-02-28").exists()
    assert list((settings.outbox_dir / ".staging").iterdir()) == []
    assert _folder_bytes(jan_folder) == before
    with _con(settings) as con:
        assert (
            con.execute(
                "select count(*) from reporting.pboc_published where period_end = ?", [FEB]
            ).fetchone()[0]
            == 0
        )


def test_staging_keeps_hashes_not_segment_text_and_batches_write_the_same_bytes(extracts_warehouse, tmp_path):
    """Staging holds each account's action and segment hashes, never its segments' XML (the text is
    rendered from the model as it is written), and the writer's sorted batches give the bytes of one batch."""
    from creditwh.checksums import sha256_file
    from creditwh.reporting.pboc.publication import ROWS, records_sql, stage
    from creditwh.reporting.pboc.reporter import PbocReporter
    from creditwh.reporting.pboc.spec import ACCOUNT
    from creditwh.reporting.pboc.writer import MessageHeader, write_message

    shutil.copytree(extracts_warehouse, tmp_path / "data")
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"))
    try:
        con.execute("BEGIN")
        reporter = PbocReporter.from_env()
        changes = stage(con, JAN, reporter)
        assert changes.records[ACCOUNT] > 20, changes
        (kind,) = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                              [ROWS]).fetchone()  # fmt: skip
        assert kind == "VIEW"  # no copy of the model's rows
        staged = con.execute("""SELECT table_name, c.column_name FROM duckdb_columns() c
            JOIN duckdb_tables() t USING (table_oid, table_name) WHERE t.temporary AND c.data_type = 'VARCHAR'""").fetchall()  # fmt: skip
        assert staged
        for table, column in staged:
            (longest,) = con.execute(f'SELECT max(length("{column}")) FROM "{table}"').fetchone()
            assert (longest or 0) <= 64, (table, column, longest)  # ids, codes and md5 hashes, no XML
        header = MessageHeader(ACCOUNT, reporter.data_provider_org_code, JAN, 0)
        sql = records_sql(ACCOUNT, JAN)
        whole = write_message(con, sql, header, tmp_path / "whole.xml")
        batched = write_message(con, sql, header, tmp_path / "batched.xml", batch_records=7)
        con.execute("ROLLBACK")
    finally:
        con.close()
    assert whole.records == batched.records == changes.records[ACCOUNT]
    assert (tmp_path / "whole.xml").read_bytes() == (tmp_path / "batched.xml").read_bytes()
    assert (whole.sha256, whole.byte_size) == sha256_file(tmp_path / "batched.xml")
