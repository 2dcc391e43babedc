"""Benchmark: stage, write and validate a period's PBOC 210 file from a built warehouse, the way
publish_pboc_file does, without publishing anything (one transaction, rolled back).

    .venv/bin/python benchmarks/nightly.py --accounts 1000000 --days 3 --start 2026-01-29 --data-dir /tmp/h2_1m
    .venv/bin/python benchmarks/pboc.py --data-dir /tmp/h2_1m --period 2026-01-31 [--profile out.pstats]

The warehouse's submitted state of the period is set aside inside the transaction, so the period stages as
its original submission whatever was published before. The file is written to --out (default: a temp dir)
and kept; its sha256 is printed, and compared with the outbox's published file of the period when there is
one (the same warehouse gives the same bytes). Prints wall seconds, CPU seconds (all threads: the machine
is shared), records/s and the process's peak RSS after each phase.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Phase:
    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), _cpu()
        return self

    def done(self, records: int, extra: str = "") -> None:
        wall, cpu = time.perf_counter() - self.t0, _cpu() - self.c0
        print(f"{self.label}: {extra}{records:,} records in {wall:.1f}s wall / {cpu:.1f}s CPU = "
              f"{records / max(wall, 1e-9):,.0f} records/s, peak RSS {_peak_mib():,.0f} MiB", flush=True)  # fmt: skip

    def __exit__(self, *exc):
        return False


def run(
    data_dir: Path,
    period: dt.date,
    out_dir: Path,
    validate_only: Path | None = None,
    batch_records: int | None = None,
) -> int:
    from creditwh.checksums import sha256_file
    from creditwh.reporting.pboc.publication import PUBLISHED, ensure_state_tables, records_sql, stage
    from creditwh.reporting.pboc.reporter import PbocReporter
    from creditwh.reporting.pboc.spec import ACCOUNT, file_name
    from creditwh.reporting.pboc.validator import validate_pboc
    from creditwh.reporting.pboc.writer import BATCH_RECORDS, MessageHeader, write_message

    if validate_only is not None:
        with Phase("validate_pboc") as p:
            report = validate_pboc(validate_only)
            p.done(report.records, f"errors={report.error_count} {sorted(report.rules)}, ")
        return 1 if report.error_count else 0

    # the demo's reporter codes (creditwh demo / benchmarks/nightly.py), so the bytes match its outbox
    reporter = PbocReporter("DEMO0000000001", "DEMO0000000001")
    name = file_name(period)
    published = data_dir / "outbox" / "pboc" / period.isoformat() / name
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute("BEGIN")
        ensure_state_tables(con)
        con.execute(f"DELETE FROM {PUBLISHED} WHERE period_end = ?", [period])
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'restricted' "
                           "AND table_name = 'rpt_bureau_purges'").fetchone()[0]:  # fmt: skip
            # a warehouse built before the purges model: the period owes no deletions
            print("  restricted.rpt_bureau_purges missing: staged with no purges (empty table, rolled back)")
            con.execute("""CREATE TABLE restricted.rpt_bureau_purges (period_end DATE, bureau VARCHAR,
                account_id VARCHAR, acct_code VARCHAR, reason VARCHAR, record_type VARCHAR,
                del_sgmt_code VARCHAR, del_start_date DATE, del_end_date DATE)""")
        with Phase("stage") as p:
            changes = stage(con, period, reporter)
            p.done(changes.accounts)
        assert changes.sequence == 0, changes
        header = MessageHeader(ACCOUNT, reporter.data_provider_org_code, period, 0)
        with Phase("write_message") as p:
            written = write_message(con, records_sql(ACCOUNT, period), header, out_dir / name,
                                    batch_records=batch_records or BATCH_RECORDS)  # fmt: skip
            p.done(written.records, f"{written.byte_size / 2**20:,.0f} MiB, ")
        con.execute("ROLLBACK")
    finally:
        con.close()
    print(f"  sha256 {written.sha256} ({written.path})")
    status = 0
    if published.exists():
        same = sha256_file(published).sha256 == written.sha256
        print(f"  published {published}: {'identical bytes' if same else 'DIFFERENT BYTES'}")
        status = 0 if same else 1
    with Phase("validate_pboc") as p:
        report = validate_pboc(written.path)
        p.done(report.records, f"errors={report.error_count} {sorted(report.rules)}, ")
    return status or (1 if report.error_count else 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data-dir", type=Path, required=True, help="a data directory benchmarks/nightly.py built"
    )
    ap.add_argument("--period", type=dt.date.fromisoformat, default=dt.date(2026, 1, 31))
    ap.add_argument("--out", type=Path, help="where the file is written (default: a new temp dir)")
    ap.add_argument("--validate-only", type=Path, help="only validate this message file")
    ap.add_argument(
        "--batch-records", type=int, help="records the writer sorts at a time (default: the writer's)"
    )
    ap.add_argument("--profile", type=Path, help="cProfile into this pstats file; prints the top functions")
    args = ap.parse_args(argv)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="pboc-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    try:
        return run(args.data_dir, args.period, out_dir, args.validate_only, args.batch_records)
    finally:
        if profiler:
            profiler.disable()
            profiler.dump_stats(args.profile)
            pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    sys.exit(main())
