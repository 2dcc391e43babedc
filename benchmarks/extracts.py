"""Throughput of the regulatory extracts on synthetic data (no dbt, no simulator):

    .venv/bin/python benchmarks/extracts.py --accounts 1000000

1. Metro 2: write_metro2 + validate_metro2 of one period from an rpt_bureau_accounts-shaped table made with
   generate_series (about 7 % joint accounts with a J1 segment, a few % delinquent / charged off).
2. Blacklist: build_blacklist for a first day (every qualifying person ADDed) and a second day with ~1 % of
   the accounts changed, against the published version log, for a book of N accounts.
Prints seconds, records/s and the process's peak resident memory (DuckDB included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import duckdb

PERIOD = dt.date(2026, 1, 31)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bureau_table(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute(f"""CREATE TABLE rpt AS
        SELECT DATE '{PERIOD}' AS period_end, 'A' || lpad(CAST(i AS VARCHAR), 10, '0') AS account_id,
               'CREDITWH01' AS identification_number, 0 AS correction_indicator,
               'A' || lpad(CAST(i AS VARCHAR), 10, '0') AS consumer_account_number, 'R' AS portfolio_type,
               '18' AS account_type, DATE '2020-01-01' + CAST(i % 2000 AS INTEGER) AS date_opened,
               CAST(5000 + i % 20000 AS BIGINT) AS credit_limit, CAST(3000 + i % 9000 AS BIGINT) AS highest_credit,
               'REV' AS terms_duration, 'M' AS terms_frequency, CAST(i % 300 AS BIGINT) AS
               scheduled_monthly_payment_amount, CAST(i % 500 AS BIGINT) AS actual_payment_amount,
               CASE WHEN i % 50 = 0 THEN '71' WHEN i % 97 = 0 THEN '97' ELSE '11' END AS account_status,
               NULL AS payment_rating, '000000000000BBBBBBBBBBBB' AS payment_history_profile,
               CASE WHEN i % 13 = 0 THEN 'XB' END AS compliance_condition_code,
               CAST(i % 9000 AS BIGINT) AS current_balance,
               CASE WHEN i % 50 = 0 THEN 120 WHEN i % 97 = 0 THEN i % 9000 + 1 ELSE 0 END AS amount_past_due,
               CASE WHEN i % 97 = 0 AND i % 50 <> 0 THEN 4000 ELSE 0 END AS original_charge_off_amount,
               DATE '{PERIOD}' AS date_account_information,
               CASE WHEN i % 50 = 0 OR i % 97 = 0 THEN DATE '2026-01-10' END AS date_first_delinquency,
               NULL::DATE AS date_closed, DATE '2026-01-20' AS date_last_payment,
               'ZHANG' AS surname, 'WEI' AS first_name, NULL AS social_security_number,
               DATE '1980-05-05' AS date_birth, NULL AS telephone_number,
               CASE WHEN i % 14 = 0 THEN '2' ELSE '1' END AS ecoa_code, '1 MAIN STREET' AS first_line_address,
               'BEIJING' AS city, 'BJ' AS state, '100000' AS zip_code
        FROM range({n}) t(i)""")
    con.execute("""CREATE TABLE rpt_j1 AS SELECT consumer_account_number, 1 AS ordinal, 'LI' AS surname,
                   'NA' AS first_name, '2' AS ecoa_code FROM rpt WHERE ecoa_code = '2'""")


def bench_metro2(n: int, workdir: Path) -> None:
    from creditwh.reporting.metro2 import Metro2Header, validate_metro2, write_metro2

    con = duckdb.connect(str(workdir / "bureau.duckdb"))
    bureau_table(con, n)
    header = Metro2Header("CREDITWH CARD SERVICES", "1 FINANCE STREET BEIJING", PERIOD, PERIOD)
    started = time.perf_counter()
    written = write_metro2(con, "rpt", "rpt_j1", header, workdir / "metro2.dat")
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    report = validate_metro2(workdir / "metro2.dat")
    validated = time.perf_counter() - started
    con.close()
    print(f"metro2  {n:>9,} accounts  {written.byte_size / 1e6:8.1f} MB  write {wrote:6.1f} s "
          f"({n / wrote:,.0f} rec/s)  validate {validated:6.1f} s ({n / validated:,.0f} rec/s)  "
          f"errors {report.error_count}  peak RSS {peak_mb():,.0f} MB")  # fmt: skip


def blacklist_warehouse(con: duckdb.DuckDBPyConnection, n: int) -> None:
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA restricted")
    # ~2 accounts per 3 persons share a person (identity merging); 3 % of accounts are 90+ / charged off
    con.execute(f"""CREATE TABLE marts.fct_account_daily AS
        SELECT d AS business_date, 'A' || i AS account_id, 'P' || (i * 2 // 3) AS person_id,
               CASE WHEN i % 61 = 0 THEN 'CHARGED_OFF' ELSE 'OPEN' END AS account_status,
               CASE WHEN i % 37 = 0 THEN 95 + (d - DATE '2026-01-01') ELSE 0 END AS days_past_due,
               CAST(i % 9000 AS DECIMAL(18, 2)) AS current_balance, i % 997 = 0 AS fraud_flag,
               i % 401 = 0 AS dispute_flag
        FROM range({n}) t(i), (VALUES (DATE '2026-01-01'), (DATE '2026-01-02')) v(d)""")
    # day 2: 1 % of accounts paid off (some persons leave), 1 % newly 90+
    con.execute("""UPDATE marts.fct_account_daily SET current_balance = 0, days_past_due = 0,
                   account_status = 'OPEN' WHERE business_date = DATE '2026-01-02'
                   AND hash(account_id) % 100 = 0""")
    con.execute("""UPDATE marts.fct_account_daily SET days_past_due = 91 WHERE business_date = DATE '2026-01-02'
                   AND hash(account_id) % 100 = 1""")
    con.execute(f"""CREATE TABLE restricted.dim_customer_pii AS
        SELECT 'P' || p AS person_id, 'CN_RESIDENT_ID' AS id_type,
               '110105' || lpad(CAST(p AS VARCHAR), 12, '0') AS id_number, true AS id_number_is_valid,
               'CN_RESIDENT_ID:110105' || lpad(CAST(p AS VARCHAR), 12, '0') AS identity_key
        FROM range({n * 2 // 3 + 1}) t(p)""")
    con.execute("""CREATE TABLE marts.dim_customer AS
        SELECT person_id, '张*三' AS local_name_masked, 'Z*** W**' AS full_name_masked,
               '110***********' || right(id_number, 4) AS id_number_masked, '138****5678' AS mobile_phone_masked
        FROM restricted.dim_customer_pii""")
    # stands in for the dbt model rpt_blacklist_candidates (the benchmark runs no dbt): the publication's input
    con.execute("""CREATE TABLE restricted.rpt_blacklist_candidates AS
        SELECT business_date, person_id,
               concat_ws('|', CASE WHEN bool_or(account_status = 'CHARGED_OFF' AND current_balance > 0)
                                   THEN 'CHARGE_OFF' END,
                         CASE WHEN max(days_past_due) >= 90 THEN 'DPD90' END,
                         CASE WHEN bool_or(fraud_flag) THEN 'FRAUD_CONFIRMED' END) AS reason_codes,
               reason_codes <> '' AS qualifies, bool_or(dispute_flag) AS dispute_flag,
               sum(greatest(current_balance, 0)) AS amount_owed,
               CASE WHEN amount_owed < 1000 THEN '0-1000' ELSE '1000+' END AS amount_band,
               CAST(business_date + INTERVAL 5 YEAR AS DATE) AS listing_expiry_date,
               any_value(c.local_name_masked) AS display_name, any_value(c.id_number_masked) AS display_id_number,
               any_value(c.mobile_phone_masked) AS display_mobile
        FROM marts.fct_account_daily f LEFT JOIN marts.dim_customer c USING (person_id)
        GROUP BY business_date, person_id""")


def bench_blacklist(n: int, workdir: Path) -> None:
    from creditwh.reporting.blacklist import BlacklistPolicy, build_blacklist
    from creditwh.reporting.blacklist.delta import record_publication

    con = duckdb.connect(str(workdir / "blacklist.duckdb"))
    blacklist_warehouse(con, n)
    policy = BlacklistPolicy(furnisher_id="BENCH00001")
    for day in (dt.date(2026, 1, 1), dt.date(2026, 1, 2)):
        started = time.perf_counter()
        result = build_blacklist(con, day, policy, b"benchmark-key")
        record_publication(con, result)
        seconds = time.perf_counter() - started
        print(f"blacklist {day} {n:>9,} accounts  {seconds:6.1f} s ({n / seconds:,.0f} accounts/s)  "
              f"delta {result.actions}  listed {result.listed:,}  peak RSS {peak_mb():,.0f} MB")  # fmt: skip
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="creditwh-extracts-bench-") as tmp:
        bench_metro2(args.accounts, Path(tmp))
        bench_blacklist(args.accounts, Path(tmp))


if __name__ == "__main__":
    main()
