"""Monthly Metro 2 publication from the simulated warehouse: model, file, validation, corrections, determinism."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pytest
from extracts_warehouse import run_dbt

pytestmark = pytest.mark.slow

JAN, FEB = dt.date(2026, 1, 31), dt.date(2026, 2, 28)


def _con(settings, read_only=True):
    return duckdb.connect(str(settings.warehouse_path), read_only=read_only)


def test_bureau_model_rows_only_at_period_ends_and_history_chains(settings):
    with _con(settings) as con:
        periods = dict(con.execute(
            "select period_end, count(*) from restricted.rpt_bureau_accounts group by all").fetchall())  # fmt: skip
        # the period end's accounts of US consumers (int_person_bureau_jurisdiction) that are not final
        # records sent earlier: each is in the file
        missing = con.execute("""
            select count(*) from marts.fct_account_daily f
            join intermediate.int_customer_person c on c.customer_id = f.customer_id
            join intermediate.int_person_bureau_jurisdiction j on j.person_id = c.person_id
            where f.business_date in (?, ?) and j.bureau = 'METRO2'
              and f.metro2_account_status not in ('13', '64', '05', 'DF')
              and not exists (select 1 from restricted.rpt_bureau_accounts r
                              where r.period_end = f.business_date and r.account_id = f.account_id)""",
            [JAN, FEB]).fetchone()[0]  # fmt: skip
        other_bureaus = con.execute("""
            select count(*) from restricted.rpt_bureau_accounts r
            left join intermediate.int_person_bureau_jurisdiction j using (person_id)
            where j.bureau is distinct from 'METRO2'""").fetchone()[0]  # fmt: skip
        # Feb's profile = Jan status character + Jan profile shifted (accounts first reported in Feb: the
        # first-period rule, tests/reporting/test_bureau_simulated_book.py)
        broken = con.execute("""
            select count(*) from restricted.rpt_bureau_accounts f
            join restricted.rpt_bureau_accounts j on j.account_id = f.account_id and j.period_end = ?
            where f.period_end = ? and f.payment_history_profile <>
                (case when j.account_status = '11' and j.current_balance = 0 then 'E'
                      when j.account_status = '11' then '0' when j.account_status = '71' then '1'
                      when j.account_status = '78' then '2' when j.account_status = '80' then '3'
                      when j.account_status in ('97', '64') then 'L' else '?' end)
                || left(j.payment_history_profile, 23)""", [JAN, FEB]).fetchone()[0]  # fmt: skip
        dofd = con.execute("""select count(*) from restricted.rpt_bureau_accounts
            where (account_status in ('71','78','80','82','83','84','97') and date_first_delinquency is null)
               or (account_status = '11' and date_first_delinquency is not null)""").fetchone()[0]
    assert set(periods) == {JAN, FEB} and min(periods.values()) > 10  # 30 Jan / 26-27 Feb added nothing
    assert missing == other_bureaus == 0
    assert broken == 0
    assert dofd == 0


def test_dbt_unit_tests_of_the_reporting_models_pass(settings):
    # DPD boundaries -> status / rating, DOFD across delinquency, cure and re-delinquency, PHP shifting
    result = run_dbt(
        settings.warehouse_path, "test", "--select", "rpt_bureau_accounts,resource_type:unit_test"
    )
    ran = {r.node.name: str(r.status) for r in result.result.results}
    declared = {u["name"] for u in _unit_tests_of("rpt_bureau_accounts")}
    assert len(declared) >= 3 and set(ran) == declared, (ran, declared)  # a selector matching nothing fails
    assert set(ran.values()) == {"pass"}, ran


def _unit_tests_of(model: str) -> list[dict]:
    import yaml
    from extracts_warehouse import DBT_PROJECT_DIR

    (path,) = DBT_PROJECT_DIR.glob(f"models/**/{model}.yml")
    return [u for u in yaml.safe_load(path.read_text()).get("unit_tests", []) if u["model"] == model]


def test_publish_writes_validated_file_with_manifest_and_round_trips(settings):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.publish import sha256_file
    from creditwh.reporting.metro2 import read_metro2, validate_metro2

    jan = publish_bureau(JAN, settings)
    feb = publish_bureau(FEB, settings)
    assert jan["status"] == feb["status"] == "published"
    path = settings.outbox_dir / "metro2" / "2026-02-28" / "metro2_20260228.dat"
    assert [str(path)] == feb["files"]
    manifest = json.loads((path.parent / (path.name + ".manifest.json")).read_text())
    digest, size = sha256_file(path)
    assert (manifest["sha256"], manifest["byte_size"]) == (digest, size)
    assert manifest["as_of_date"] == "2026-02-28" and manifest["validated_against"] == "metro2_20260131.dat"
    assert validate_metro2(path, settings.outbox_dir / "metro2/2026-01-31/metro2_20260131.dat").ok

    parsed = read_metro2(path)
    records = parsed["data"]
    by_account = {r["base"]["consumer_account_number"]: r for r in records}
    with _con(settings) as con:
        rows = con.execute(
            """select account_id, account_status, current_balance, amount_past_due,
                                     payment_history_profile, date_first_delinquency
                              from restricted.rpt_bureau_accounts where period_end = ?""",
            [FEB],
        ).fetchall()
        status_counts = dict(
            con.execute(
                """select account_status, count(*) from restricted.rpt_bureau_accounts
                                            where period_end = ? group by all""",
                [FEB],
            ).fetchall()
        )
        j1 = con.execute(
            "select count(*) from restricted.rpt_bureau_j1 where period_end = ?", [FEB]
        ).fetchone()[0]
    assert len(by_account) == len(rows) == manifest["record_count"]
    for acct, status, balance, past_due, php, dofd in rows:
        base = by_account[acct]["base"]
        assert (base["account_status"], base["current_balance"], base["amount_past_due"]) == (
            status,
            balance,
            past_due,
        )
        assert base["payment_history_profile"] == php
        assert base["date_first_delinquency"] == dofd
    trailer = parsed["trailer"]
    assert trailer["total_base_records"] == len(rows)
    for code in ("11", "71", "78", "80", "97"):
        assert trailer[f"total_status_code_{code}"] == status_counts.get(code, 0)
    assert trailer["total_consumer_segments_j1"] == j1 == manifest["control_totals"]["j1_segments"]
    assert manifest["control_totals"]["current_balance"] == sum(r[2] for r in rows)
    assert manifest["control_totals"]["amount_past_due"] == sum(r[3] for r in rows)


def test_two_publishes_give_identical_bytes(extracts_warehouse, tmp_path, monkeypatch):
    from creditwh.config import Settings
    from creditwh.pipeline.extracts import publish_bureau

    outputs = []
    for run in ("a", "b"):
        data_dir = tmp_path / run
        shutil.copytree(extracts_warehouse, data_dir)
        monkeypatch.setenv("CREDITWH_DATA_DIR", str(data_dir))
        settings = Settings.from_env()
        publish_bureau(JAN, settings)
        folder = settings.outbox_dir / "metro2" / "2026-01-31"
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 2


def test_rerun_is_a_no_op_and_restatement_gives_correction_records(settings):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2 import read_metro2

    publish_bureau(JAN, settings)
    original = settings.outbox_dir / "metro2/2026-01-31/metro2_20260131.dat"
    before = original.read_bytes()
    assert publish_bureau(JAN, settings)["status"] == "unchanged"
    with _con(settings, read_only=False) as con:  # restate two accounts of January
        changed = [
            r[0]
            for r in con.execute(
                """select account_id from restricted.rpt_bureau_accounts
            where period_end = ? and account_status = '11' order by account_id limit 2""",
                [JAN],
            ).fetchall()
        ]
        con.execute(
            """update restricted.rpt_bureau_accounts set current_balance = current_balance + 7
                       where period_end = ? and account_id in (?, ?)""",
            [JAN, *changed],
        )
    result = publish_bureau(JAN, settings)
    correction = settings.outbox_dir / "metro2/2026-01-31/metro2_20260131_c01.dat"
    assert result["kind"] == "correction" and result["files"] == [str(correction)]
    assert original.read_bytes() == before  # the delivered file is never rewritten
    records = read_metro2(correction)["data"]
    assert sorted(r["base"]["consumer_account_number"] for r in records) == changed
    assert {r["base"]["correction_indicator"] for r in records} == {1}


def test_failed_validation_publishes_nothing_and_keeps_earlier_files(settings):
    from creditwh.pipeline.extracts import publish_bureau
    from creditwh.reporting.metro2 import Metro2ValidationError

    publish_bureau(JAN, settings)
    jan_folder = settings.outbox_dir / "metro2/2026-01-31"
    jan_before = {p.name: p.read_bytes() for p in jan_folder.iterdir()}
    with _con(settings, read_only=False) as con:  # a delinquent record without its DOFD is a Metro 2 error
        con.execute(
            """update restricted.rpt_bureau_accounts set account_status = '71', date_first_delinquency = null,
                       amount_past_due = 10 where period_end = ? and account_id =
                       (select min(account_id) from restricted.rpt_bureau_accounts where period_end = ?)""",
            [FEB, FEB],
        )
    with pytest.raises(Metro2ValidationError, match="dofd_required"):
        publish_bureau(FEB, settings)
    assert not (settings.outbox_dir / "metro2/2026-02-28").exists()
    assert list((settings.outbox_dir / ".staging").iterdir()) == []
    assert {p.name: p.read_bytes() for p in jan_folder.iterdir()} == jan_before
    with _con(settings) as con:
        assert con.execute("select count(*) from reporting.bureau_published where period_end = ?",
                           [FEB]).fetchone()[0] == 0  # fmt: skip
