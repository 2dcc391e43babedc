"""Benchmark: write and validate a synthetic Metro 2 file of N accounts (default 1,000,000).

    .venv/bin/python benchmarks/metro2.py [--rows N] [--dir /tmp/metro2-bench]

Prints wall seconds, CPU seconds, records/second and peak RSS (resource.ru_maxrss, whole process) after each
phase. The base rows are generated in DuckDB with range(); 10% of accounts get a J1 segment, 5% get two.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
from creditwh.reporting.metro2 import Metro2Header, validate_metro2, write_metro2

AS_OF = date(2024, 5, 31)

SYNTHETIC_BASE = """
CREATE TABLE bench_base AS
WITH s AS (
    SELECT i, CASE WHEN i % 20 = 0 THEN '71' WHEN i % 50 = 1 THEN '78' WHEN i % 100 = 2 THEN '97'
                   WHEN i % 25 = 3 THEN '13' ELSE '11' END AS status
    FROM range({rows}) t(i)
)
SELECT
    lpad(CAST(1000000 + i % 7 AS VARCHAR), 7, '0') AS identification_number,
    'CARD' || lpad(CAST(i AS VARCHAR), 12, '0') AS consumer_account_number,
    'R' AS portfolio_type, '18' AS account_type,
    DATE '2015-01-01' + CAST(i % 3000 AS INTEGER) AS date_opened,
    CAST(1000 + (i % 50) * 500 AS DECIMAL(12, 2)) AS credit_limit,
    CAST((i % 977) * 13.37 AS DECIMAL(12, 2)) AS highest_credit,
    'REV' AS terms_duration, 'M' AS terms_frequency,
    CAST((i % 97) * 1.5 AS DECIMAL(12, 2)) AS scheduled_monthly_payment_amount,
    CAST((i % 89) * 2.25 AS DECIMAL(12, 2)) AS actual_payment_amount,
    status AS account_status,
    CASE WHEN status = '13' THEN '0' ELSE '' END AS payment_rating,
    CASE status WHEN '71' THEN '000000000000' WHEN '78' THEN '100000000000' WHEN '97' THEN '654321000000'
                ELSE '000000000000000000000000' END AS payment_history_profile,
    '' AS special_comment, '' AS compliance_condition_code,
    CAST((i % 5000) * 3.99 - 100 AS DECIMAL(12, 2)) AS current_balance,
    CASE WHEN status IN ('71', '78', '97') THEN CAST(25 + i % 400 AS DECIMAL(12, 2)) ELSE 0 END
        AS amount_past_due,
    CASE WHEN status = '97' THEN CAST(2000 + i % 3000 AS DECIMAL(12, 2)) ELSE 0 END
        AS original_charge_off_amount,
    DATE '{as_of}' AS date_account_information,
    CASE WHEN status IN ('71', '78', '97') THEN DATE '{as_of}' - CAST(30 + i % 60 AS INTEGER) END
        AS date_first_delinquency,
    NULL::DATE AS date_closed,
    CASE WHEN status = '13' THEN DATE '{as_of}' ELSE DATE '{as_of}' - CAST(i % 25 AS INTEGER) END
        AS date_last_payment,
    'F' AS interest_type_indicator,
    'Surname' || (i % 9973) AS surname, 'First' || (i % 101) AS first_name, '' AS middle_name,
    '' AS generation_code,
    lpad(CAST(100000000 + i AS VARCHAR), 9, '0') AS social_security_number,
    DATE '1960-01-01' + CAST(i % 15000 AS INTEGER) AS date_birth,
    CAST(5175550000 + i % 10000 AS BIGINT) AS telephone_number,
    '1' AS ecoa_code, '' AS consumer_information_indicator, 'US' AS country_code,
    (i % 9999) || ' Main St' AS first_line_address, '' AS second_line_address,
    'Springfield' AS city, 'IL' AS state, '62701' AS zip_code,
    'Y' AS address_indicator, 'O' AS residence_code,
    0 AS correction_indicator, TIMESTAMP '{as_of} 23:00:00' AS time_stamp, '' AS cycle_identifier
FROM s
"""

SYNTHETIC_J1 = """
CREATE TABLE bench_j1 AS
SELECT 'CARD' || lpad(CAST(i AS VARCHAR), 12, '0') AS consumer_account_number, k AS ordinal,
       'Partner' || (i % 77) AS surname, 'Pat' AS first_name, '2' AS ecoa_code,
       lpad(CAST(200000000 + i AS VARCHAR), 9, '0') AS social_security_number, DATE '1970-06-15' AS date_birth
FROM range({rows}) t(i), range(2) u(k)
WHERE i % 10 = 0 AND (k = 0 OR i % 20 = 0)
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """User + system CPU seconds of this process (all DuckDB threads): the machine is shared, so wall time
    alone can mislead."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _phase(label: str, records: int, wall: float, cpu: float, extra: str = "") -> None:
    print(
        f"{label}: {extra}{records:,} records in {wall:.1f}s wall / {cpu:.1f}s CPU = "
        f"{records / wall:,.0f} records/s, peak RSS {_peak_mb():.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    out_dir = args.dir or Path(tempfile.mkdtemp(prefix="metro2-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")

    t0 = time.perf_counter()
    con.execute(SYNTHETIC_BASE.format(rows=args.rows, as_of=AS_OF.isoformat()))
    con.execute(SYNTHETIC_J1.format(rows=args.rows))
    print(f"synthetic input: {args.rows:,} accounts in {time.perf_counter() - t0:.1f}s")

    header = Metro2Header(
        reporter_name="Benchmark Card Co",
        reporter_address="1 Bench St, Springfield IL",
        activity_date=AS_OF,
        date_created=AS_OF,
        equifax_program_identifier="EQ0001",
    )
    t0, c0 = time.perf_counter(), _cpu()
    result = write_metro2(con, "bench_base", "bench_j1", header, out_dir / "metro2.dat")
    extra = f"{result.j1_segments:,} J1, {result.byte_size / 1e6:.0f} MB, "
    _phase("write_metro2", result.data_records, time.perf_counter() - t0, _cpu() - c0, extra)
    print(f"  sha256 {result.sha256}")
    con.close()

    t0, c0 = time.perf_counter(), _cpu()
    report = validate_metro2(result.path)
    extra = f"ok={report.ok} errors={report.error_count} warnings={report.warning_count}, "
    _phase("validate_metro2", report.data_records, time.perf_counter() - t0, _cpu() - c0, extra)

    # The same file as its own previous period exercises the joins; 9_4A fires for every delinquent account
    # because this synthetic PHP does not start with the (identical) previous status's character.
    t0, c0 = time.perf_counter(), _cpu()
    report = validate_metro2(result.path, previous_path=result.path)
    extra = f"{report.error_count:,} findings {sorted(report.rules())}, "
    _phase("validate_metro2 + previous", report.data_records, time.perf_counter() - t0, _cpu() - c0, extra)


if __name__ == "__main__":
    main()
