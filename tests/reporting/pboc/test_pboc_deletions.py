"""Deletions a period owes the PBOC (restricted.rpt_bureau_purges): negative history past its 5 years (213)
and accounts closed for confirmed fraud (214) go out with the period's publication, pass the validator, and
are sent once - not on a re-run, not with a later correction."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from conftest import FEB, JAN
from extracts_warehouse import run_dbt
from pboc_files import read_records, segment_values

pytestmark = pytest.mark.slow

FRAUD_ON = dt.date(2026, 2, 26)  # the first February date of the extracts warehouse's fact


def _con(settings, read_only=True):
    return duckdb.connect(str(settings.warehouse_path), read_only=read_only)


def test_purged_history_and_fraud_deletions_are_sent_once_and_validate(settings):
    from creditwh.pipeline.extracts import publish_pboc
    from creditwh.reporting.pboc.validator import validate_pboc

    assert publish_pboc(JAN, settings)["status"] == "published"
    with _con(settings, read_only=False) as con:
        # two accounts of January's file that are still reported in February
        fraud, purged = (r[0] for r in con.execute("""
            select account_id from restricted.rpt_pboc_card_accounts where period_end = $j and acct_status = '1'
              and account_id in (select account_id from restricted.rpt_pboc_card_accounts where period_end = $f)
            order by account_id limit 2""", {"j": JAN, "f": FEB}).fetchall())  # fmt: skip
        # the platform closes one for confirmed fraud on 26 Feb
        con.execute("""update marts.fct_account_daily set account_status = 'CLOSED', fraud_flag = true,
                       closed_date = $d where account_id = $a and business_date >= $d""",
                    {"a": fraud, "d": FRAUD_ON})  # fmt: skip
    run_dbt(settings.warehouse_path, "run", "--select", "rpt_pboc_card_accounts", "rpt_bureau_purges",
            "--vars", '{business_date: "2026-02-28"}')  # fmt: skip
    with _con(settings, read_only=False) as con:
        listed = con.execute("""select account_id, reason, record_type, event_date from restricted.rpt_bureau_purges
                                where period_end = ?""", [FEB]).fetchall()  # fmt: skip
        assert listed == [(fraud, "FRAUD", "214", FRAUD_ON)]
        assert not con.execute("select count(*) from restricted.rpt_pboc_card_accounts where account_id = ? "
                               "and period_end = ?", [fraud, FEB]).fetchone()[0]  # fmt: skip
        # a delinquency whose 5 years run out in February (the model's rule: dbt unit tests of
        # rpt_bureau_purges); here its January record stands for the periods to delete
        con.execute("""insert into restricted.rpt_bureau_purges (period_end, business_date, bureau, account_id,
                       acct_code, reason, record_type, del_sgmt_code, del_start_date, del_end_date)
                       values ($f, $f, 'PBOC', $a, $a, 'NEGATIVE_HISTORY_5Y', '213', 'H', $j, $j)""",
                    {"f": FEB, "j": JAN, "a": purged})  # fmt: skip

    result = publish_pboc(FEB, settings)
    assert (result["kind"], result["sequence"]) == ("original", 0)
    assert result["records"]["213"] == 1 and result["records"]["214"] == 1
    folder = settings.outbox_dir / "pboc" / "2026-02-28"
    files = {p.name: p for p in folder.iterdir() if not p.name.endswith(".json")}
    assert set(files) == {
        "pboc_r2_20260228.xml",
        "pboc_r2_20260228_c00_213.xml",
        "pboc_r2_20260228_c00_214.xml",
    }
    jan_file = settings.outbox_dir / "pboc" / "2026-01-31" / "pboc_r2_20260131.xml"
    # the validator accepts each; February's 210 file against January's without the account deleted whole
    for name, path in files.items():
        assert validate_pboc(path).error_count == 0, name
    # against January's file, the account deleted whole is not missing when its 214 goes with the file, and
    # vanished when it does not
    february = files["pboc_r2_20260228.xml"]
    assert validate_pboc(february, previous_path=jan_file, deleted_whole=frozenset({fraud})).error_count == 0
    unfiltered = validate_pboc(february, previous_path=jan_file)
    assert unfiltered.rules == {"X_VANISHED"} and {f.acct_code for f in unfiltered.samples} == {fraud}
    _, accounts = read_records(files["pboc_r2_20260228.xml"])
    assert fraud not in {segment_values(r, "AcctBsSgmt")["AcctCode"] for r in accounts}
    _, (whole,) = read_records(files["pboc_r2_20260228_c00_214.xml"])
    assert whole.findtext("DelRecCode") == fraud
    _, (segment,) = read_records(files["pboc_r2_20260228_c00_213.xml"])
    assert (segment.findtext("DelRecCode"), segment.findtext("DelSgmtCode")) == (purged, "H")
    assert (segment.findtext("DelStartDate"), segment.findtext("DelEndDate")) == ("2026-01-31", "2026-01-31")

    # once: a re-run sends nothing, and a later correction of the period does not send them again
    assert publish_pboc(FEB, settings)["status"] == "unchanged"
    with _con(settings, read_only=False) as con:
        con.execute("""update restricted.rpt_pboc_card_accounts set acct_cred_line = acct_cred_line + 1000
                       where period_end = ? and account_id = ?""", [FEB, purged])  # fmt: skip
    correction = publish_pboc(FEB, settings)
    assert (correction["sequence"], correction["records"]) == (1, {"210": 0, "212": 1, "213": 0, "214": 0})
    with _con(settings) as con:
        sent = con.execute("""select account_id, record_type, publication_sequence
                              from reporting.pboc_deletions_published order by record_type""").fetchall()
    assert sent == [(purged, "213", 0), (fraud, "214", 0)]

    # what was deleted for good is not sent again by a restatement of a deleted period
    with _con(settings, read_only=False) as con:
        con.execute("""update restricted.rpt_pboc_card_accounts set acct_cred_line = acct_cred_line + 1000
                       where period_end = ? and account_id in (?, ?)""", [JAN, purged, fraud])  # fmt: skip
    assert publish_pboc(JAN, settings)["status"] == "unchanged"
