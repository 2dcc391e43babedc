"""write_metro2: round trip through the reader, formatting rules, trailer totals, byte determinism."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from creditwh.reporting.metro2 import read_metro2, validate_metro2, write_metro2
from creditwh.reporting.metro2.spec import BASE, RECORD_LENGTH, TRAILER_TOTALS
from metro2_samples import AS_OF, HEADER, SAMPLE_ACCOUNTS, SAMPLE_J1, account, load_base


def by_account(parsed: dict) -> dict[str, dict]:
    return {d["base"]["consumer_account_number"]: d for d in parsed["data"]}


def test_file_bytes_follow_the_line_convention(written):
    raw = written.path.read_bytes()
    assert not raw.endswith(b"\n")  # as moov's variable-length test file: newline between records only
    lines = raw.split(b"\n")
    assert len(lines) == written.physical_records == len(SAMPLE_ACCOUNTS) + 2
    for line in lines[:-1]:  # header and data records
        assert int(line[:4]) == len(line)  # BDW = block length including itself
        assert int(line[4:8]) == len(line) - 4  # RDW = record length
    trailer = lines[-1]  # no BDW: it starts with its RDW, as in moov's variable-length sample
    assert int(trailer[:4]) == len(trailer) == RECORD_LENGTH and trailer[4:11] == b"TRAILER"
    assert lines[0][8:14] == b"HEADER"
    assert {len(line) - 4 for line in lines[:-1]} == {RECORD_LENGTH, RECORD_LENGTH + 100, RECORD_LENGTH + 200}
    assert written.byte_size == len(raw) and written.sha256 == hashlib.sha256(raw).hexdigest()
    assert b'"' not in raw and b"12 MAIN ST., #4" in raw  # COPY wrote raw lines: no CSV quoting of commas
    assert [p.name for p in written.path.parent.iterdir()] == [written.path.name]  # temp file renamed away


def test_round_trip_values_and_formatting_rules(written):
    parsed = read_metro2(written.path)
    accounts = by_account(parsed)
    # ordered by identification_number, then consumer_account_number
    assert list(accounts) == ["A-9", "ACC-0", "ACC-1", "ACC-2", "ACC-3"]

    delinquent = accounts["ACC-1"]["base"]
    assert delinquent["surname"] == "ONEIL-SMITH"  # upper-cased, apostrophe removed from a name
    assert delinquent["first_name"] == "ELODIE"  # accent stripped
    assert delinquent["middle_name"] == "A VERY LONG MIDDLE N"  # truncated to 20
    assert delinquent["city"] == "A CITY NAME THAT IS"  # truncated to 20, trailing blank stripped by reader
    assert delinquent["first_line_address"] == "12 MAIN ST., #4"
    assert delinquent["current_balance"] == 1234  # 1234.99: cents truncated, not rounded
    assert delinquent["amount_past_due"] == 55
    assert delinquent["scheduled_monthly_payment_amount"] == 25
    assert delinquent["payment_history_profile"] == "0000" + "B" * 20  # B-filled to 24
    assert delinquent["date_first_delinquency"] == date(2024, 4, 10)
    assert delinquent["date_closed"] is None
    assert delinquent["processing_indicator"] == 1 and delinquent["record_descriptor_word"] == 626

    current = accounts["ACC-0"]["base"]
    assert current["current_balance"] == 0  # credit balance -50.50 reported as zero
    assert current["date_last_payment"] is None and current["date_birth"] is None  # NULL -> zero-filled
    assert current["social_security_number"] == 0 and current["telephone_number"] == 0
    assert current["terms_duration"] == "036" and current["correction_indicator"] == 1

    charged_off = accounts["ACC-3"]["base"]
    assert (charged_off["original_charge_off_amount"], charged_off["current_balance"]) == (900, 800)

    j1 = accounts["ACC-1"]["j1"]
    assert [(s["first_name"], s["ecoa_code"]) for s in j1] == [("JIM", "3"), ("JANE", "2")]  # by ordinal
    assert j1[0]["telephone_number"] == 5175551111 and j1[0]["social_security_number"] == 0
    assert accounts["ACC-0"]["j1"] == [] and len(accounts["ACC-3"]["j1"]) == 1

    header = parsed["header"]
    assert header["date_created"] == AS_OF and header["activity_date"] == AS_OF  # from the run, not the clock
    assert header["reporter_name"] == "ACME CARD CO" and header["reporter_telephone_number"] == 8005550100
    assert header["equifax_program_identifier"] == "EQ123"


def test_trailer_totals_recompute_from_the_records(written):
    parsed = read_metro2(written.path)
    trailer = parsed["trailer"]
    assert {k: trailer[k] for k in TRAILER_TOTALS} == written.trailer
    data = parsed["data"]
    statuses = [d["base"]["account_status"] for d in data]
    j1 = [s for d in data for s in d["j1"]]
    expected = {
        "total_base_records": 5,
        "block_count": 7,
        "total_consumer_segments_j1": 3,
        "total_status_code_11": statuses.count("11"),
        "total_status_code_71": 1,
        "total_status_code_13": 1,
        "total_status_code_97": 1,
        "total_ecoa_code_z": 1,
        "total_social_numbers_base_segments": sum(bool(d["base"]["social_security_number"]) for d in data),
        "total_social_numbers_j1_segments": sum(bool(s["social_security_number"]) for s in j1),
        "total_dates_birth_base_segments": sum(d["base"]["date_birth"] is not None for d in data),
        "total_dates_birth_j1_segments": 1,
        "total_telephone_numbers_all_segments": sum(bool(d["base"]["telephone_number"]) for d in data) + 1,
    }
    assert {k: trailer[k] for k in expected} == expected
    assert trailer["total_social_numbers_all_segments"] == (
        trailer["total_social_numbers_base_segments"] + trailer["total_social_numbers_j1_segments"]
    )
    assert trailer["total_status_code_11"] == 2
    assert sum(trailer[k] for k in TRAILER_TOTALS if k.startswith("total_status_code_")) == 5


def test_two_writes_give_the_same_bytes(con, tmp_path, written):
    again = write_metro2(con, "base_accounts", "j1_consumers", HEADER, tmp_path / "again.dat")
    assert again.sha256 == written.sha256
    # input order does not matter either
    con.execute("CREATE TABLE shuffled AS SELECT * FROM base_accounts ORDER BY consumer_account_number DESC")
    con.execute("CREATE TABLE j1_shuffled AS SELECT * FROM j1_consumers ORDER BY ordinal DESC")
    third = write_metro2(con, "SELECT * FROM shuffled", "j1_shuffled", HEADER, tmp_path / "third.dat")
    assert third.sha256 == written.sha256


def test_writer_output_passes_the_validator(written):
    report = validate_metro2(written.path)
    assert report.ok and report.findings == [] and report.data_records == 5


def test_without_block_descriptor_words(con, tmp_path):
    result = write_metro2(
        con, "base_accounts", None, HEADER, tmp_path / "plain.dat", block_descriptor_words=False
    )
    lines = result.path.read_bytes().split(b"\n")
    assert {len(line) for line in lines} == {RECORD_LENGTH} and lines[0][4:10] == b"HEADER"
    assert result.trailer["total_consumer_segments_j1"] == 0
    assert validate_metro2(result.path).ok
    assert [d["base"]["record_descriptor_word"] for d in read_metro2(result.path)["data"]] == [426] * 5


def test_missing_optional_columns_are_blank_or_zero(con, tmp_path):
    con.execute("""CREATE TABLE minimal AS SELECT
        identification_number, consumer_account_number, portfolio_type,
        account_type, date_opened, terms_duration, account_status, payment_history_profile,
        date_account_information, surname, first_name, ecoa_code, first_line_address, city, state, zip_code
        FROM base_accounts WHERE account_status = '11'""")
    result = write_metro2(con, "minimal", None, HEADER, tmp_path / "minimal.dat")
    base = read_metro2(result.path)["data"][0]["base"]
    assert (base["current_balance"], base["date_last_payment"], base["middle_name"]) == (0, None, "")
    assert base["time_stamp"].date() == AS_OF  # defaults to the header's as-of date


def test_rejects_duplicate_accounts_and_missing_columns(con, tmp_path):
    load_base(con, "dupes", [account("X-1"), account("X-1")])
    with pytest.raises(ValueError, match="duplicate"):
        write_metro2(con, "dupes", None, HEADER, tmp_path / "d.dat")
    with pytest.raises(ValueError, match="account_status"):
        write_metro2(
            con, "SELECT * EXCLUDE (account_status) FROM base_accounts", None, HEADER, tmp_path / "m.dat"
        )
    assert not any(tmp_path.iterdir())


def test_orphan_j1_rows_are_counted(con, tmp_path):
    con.execute("INSERT INTO j1_consumers VALUES ('NOPE', 1, 'X', 'Y', '2', NULL, NULL, NULL)")
    result = write_metro2(con, "base_accounts", "j1_consumers", HEADER, tmp_path / "o.dat")
    assert result.j1_orphans == 1 and result.j1_segments == len(SAMPLE_J1)


def test_field_positions_come_from_the_spec(written):
    line = written.path.read_text().split("\n")[1][4:]  # first data record, BDW stripped
    assert BASE.field("consumer_account_number").slice(line).rstrip() == "A-9"
    assert BASE.field("identification_number").slice(line).rstrip() == "0000099"
    assert BASE.field("ecoa_code").slice(line) == "Z"
