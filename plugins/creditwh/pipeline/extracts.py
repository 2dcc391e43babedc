"""Task bodies of the regulatory extracts: the daily shared blacklist and the monthly Metro 2 bureau file.

Both read the warehouse after the marts gate passed, stage their files, validate them and publish them
atomically into the outbox (creditwh.publish); each returns a small summary for XCom. Nothing is
published when a check fails, and earlier files are never touched. Each first finishes a publication a
killed run left sealed but undelivered (creditwh.publish.recover), then records its own state rows and
sealed files in one warehouse transaction before moving anything into the outbox.

Metro 2 restatements: the period's first publication is `metro2_<YYYYMMDD>.dat`. A re-run with unchanged
rows publishes nothing (the delivered bytes stand). A re-run whose rows changed (a restated period) writes
`metro2_<YYYYMMDD>_cNN.dat` holding only the changed accounts with Correction Indicator 1 (accounts new to
the period go out with 0); what was delivered is tracked per account in reporting.bureau_published.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from dataclasses import dataclass

import creditwh
from creditwh.config import Settings
from creditwh.errors import PipelineError

log = logging.getLogger(__name__)

BUREAU_EXTRACT = "metro2"
BLACKLIST_EXTRACT = "blacklist"
BUREAU_MODEL = "marts.rpt_bureau_accounts"
BUREAU_J1_MODEL = "marts.rpt_bureau_j1"
BUREAU_PUBLISHED = "reporting.bureau_published"


class NothingToReport(PipelineError):
    """The bureau model has no rows for the period (the period end's dbt run has not happened)."""


class BureauReporterMissing(PipelineError):
    """Metro 2 reporter settings are missing or invalid: a placeholder must never reach a bureau."""


@dataclass(frozen=True)
class BureauReporter:
    """Who furnishes the Metro 2 file: the header's reporter fields, the program identifiers the bureaus
    assigned and the identification number of every Base Segment. All from CREDITWH_BUREAU_<FIELD>
    (e.g. CREDITWH_BUREAU_REPORTER_NAME), with no defaults in code."""

    identification_number: str
    reporter_name: str
    reporter_address: str
    reporter_telephone_number: str
    equifax_program_identifier: str = ""
    experian_program_identifier: str = ""
    trans_union_program_identifier: str = ""
    innovis_program_identifier: str = ""

    REQUIRED = ("identification_number", "reporter_name", "reporter_address", "reporter_telephone_number")
    PROGRAMS = ("equifax_program_identifier", "experian_program_identifier", "trans_union_program_identifier",
                "innovis_program_identifier")  # fmt: skip

    @staticmethod
    def env_name(field_name: str) -> str:
        return f"CREDITWH_BUREAU_{field_name.upper()}"

    @classmethod
    def from_env(cls) -> BureauReporter:
        values = {n: os.environ.get(cls.env_name(n), "").strip() for n in cls.REQUIRED + cls.PROGRAMS}
        problems = [f"{cls.env_name(n)} is not set" for n in cls.REQUIRED if not values[n]]
        if not any(values[n] for n in cls.PROGRAMS):
            problems.append("no program identifier is set (at least one of "
                            + ", ".join(cls.env_name(n) for n in cls.PROGRAMS) + ")")  # fmt: skip
        problems += _field_problems(values)
        if problems:
            raise BureauReporterMissing(
                "Metro 2 reporter settings: " + "; ".join(problems)
                + " (docs/operations.md, 'Security'; the values come from the bureaus' furnisher agreements)"
            )
        return cls(**values)


def _field_problems(values: dict[str, str]) -> list[str]:
    """Values that the Metro 2 layout cannot carry (too long; a telephone number is 10 digits)."""
    from creditwh.reporting.metro2.spec import BASE, HEADER

    problems = []
    for name, value in values.items():
        layout = BASE if name == "identification_number" else HEADER
        if len(value) > layout.field(name).length:
            problems.append(f"{BureauReporter.env_name(name)} is {len(value)} characters, the {layout.name} "
                            f"field holds {layout.field(name).length}")  # fmt: skip
    phone = values["reporter_telephone_number"]
    if phone and not (phone.isdigit() and len(phone) == 10):
        problems.append(f"{BureauReporter.env_name('reporter_telephone_number')} must be 10 digits")
    return problems


# ---------------------------------------------------------------- blacklist (daily)


def publish_blacklist(business_date: dt.date, settings: Settings) -> dict:
    """Compute the day's blacklist delta + snapshot and publish them to outbox/blacklist/<date>/ (plus a
    re-key file when this run rotates the HMAC key, see creditwh.reporting.blacklist.rotation)."""
    import duckdb

    from creditwh.load.acceptance import require_marts_passed
    from creditwh.publish import Publication, recover
    from creditwh.reporting.blacklist import BlacklistPolicy, key_id, load_key
    from creditwh.reporting.blacklist.delta import (
        DELTA,
        DELTA_COLUMNS,
        PUBLICATIONS,
        SNAPSHOT,
        SNAPSHOT_COLUMNS,
        build_blacklist,
        ensure_state_tables,
        record_publication,
    )
    from creditwh.reporting.blacklist.rotation import REKEY, REKEY_COLUMNS, ROTATION_ENV, check_key

    key = load_key()  # before touching anything: a missing or weak key fails fast
    policy = BlacklistPolicy.from_env()
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        require_marts_passed(con, business_date)  # nothing from marts whose gate did not pass
        recover(con, settings)
        con.execute("BEGIN")
        ensure_state_tables(con)
        rekey_from = check_key(con, business_date, key_id(key), os.environ.get(ROTATION_ENV) or None, PUBLICATIONS)
        result = build_blacklist(con, business_date, policy, key, rekey_from=rekey_from)
        summary = {"business_date": business_date.isoformat(), "sequence": result.sequence,
                   "actions": result.actions, "listed": result.listed, "key_id": result.key_id,
                   "files": []}  # fmt: skip
        if not result.changed:
            con.execute("ROLLBACK")
            log.info("blacklist %s: already published, nothing changed", business_date)
            return {**summary, "status": "unchanged"}
        suffix = f"{business_date:%Y%m%d}" + (f"_c{result.sequence:02d}" if result.sequence else "")
        kind = "correction" if result.sequence else "original"
        parts = [("delta", DELTA, DELTA_COLUMNS, "subject_key"), ("snapshot", SNAPSHOT, SNAPSHOT_COLUMNS, "subject_key")]
        if rekey_from is not None:
            parts.append(("rekey", REKEY, REKEY_COLUMNS, "previous_subject_key"))
        with Publication(settings, BLACKLIST_EXTRACT, business_date) as pub:
            for part, table, columns, order_by in parts:
                name = f"blacklist_{part}_{suffix}.csv"
                rows = _write_blacklist_csv(con, table, columns, pub.path(name), order_by)
                totals = {"delta": dict(result.actions), "snapshot": {"listed": rows}, "rekey": {"rekeyed": rows}}[part]
                extra = {"part": part, "sequence": result.sequence, "furnisher_id": policy.furnisher_id,
                         "key_id": result.key_id}  # fmt: skip
                if rekey_from is not None:
                    extra["previous_key_id"] = rekey_from
                pub.add(name, records=rows, control_totals={k: int(v) for k, v in sorted(totals.items())},
                        kind=kind, extra=extra)  # fmt: skip
            pub.seal(con)
            record_publication(con, result)
            con.execute("COMMIT")
            published = pub.deliver(con)
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.close()
    if rekey_from is not None:
        log.warning("blacklist %s: HMAC key rotated from key id %s to %s (%d subjects re-keyed)",
                    business_date, rekey_from, result.key_id, result.rekeyed)  # fmt: skip
    log.info("blacklist %s published: %s, %d listed", business_date, result.actions, result.listed)
    return {**summary, "status": "published", "rekeyed": result.rekeyed, "files": [str(p) for p in published]}


def _write_blacklist_csv(con, table, columns, path, order_by) -> int:
    from creditwh.reporting.blacklist.delta import write_csv

    return write_csv(con, table, columns, path, order_by)


def _rollback(con) -> None:
    with contextlib.suppress(Exception):  # no transaction open any more
        con.execute("ROLLBACK")


# ---------------------------------------------------------------- Metro 2 (monthly)


def _base_columns(con) -> list[str]:
    from creditwh.reporting.metro2.writer import BASE_INPUT_COLUMNS

    present = {r[0] for r in con.execute(f"DESCRIBE {BUREAU_MODEL}").fetchall()}
    return [c for c in BASE_INPUT_COLUMNS if c in present]


def _ensure_bureau_state(con) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {BUREAU_PUBLISHED} (
        period_end DATE NOT NULL, publication_sequence INTEGER NOT NULL, file_name VARCHAR NOT NULL,
        account_id VARCHAR NOT NULL, correction_indicator INTEGER NOT NULL, row_hash VARCHAR NOT NULL,
        PRIMARY KEY (period_end, publication_sequence, account_id))""")


def publish_bureau(period_end: dt.date, settings: Settings, reporter: BureauReporter | None = None) -> dict:
    """Write, validate and publish the Metro 2 file of `period_end` (or a correction file when the period
    was already delivered and its rows changed) to outbox/metro2/<period_end>/."""
    import duckdb

    from creditwh.load.acceptance import require_marts_passed
    from creditwh.publish import Publication, recover
    from creditwh.reporting.metro2 import Metro2Header, validate_metro2, write_metro2

    reporter = reporter or BureauReporter.from_env()  # before touching anything: missing settings fail fast
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        require_marts_passed(con, period_end)  # nothing from marts whose gate did not pass
        recover(con, settings)
        con.execute("BEGIN")
        _ensure_bureau_state(con)
        # the furnisher's identification number comes from the reporter settings, not the model's dbt var
        con.execute(f"""CREATE OR REPLACE TEMP TABLE bureau_rows AS
            SELECT * REPLACE (CAST($ident AS VARCHAR) AS identification_number)
            FROM {BUREAU_MODEL} WHERE period_end = $p""", {"ident": reporter.identification_number, "p": period_end})
        (rows,) = con.execute("SELECT count(*) FROM bureau_rows").fetchone()
        if not rows:
            raise NothingToReport(
                f"{BUREAU_MODEL} has no rows for period {period_end}: was dbt run for that date?"
            )
        columns = _base_columns(con)
        j1_hash = (f"(SELECT account_id, string_agg(md5(CAST(j AS VARCHAR)), '' ORDER BY j.ordinal) AS h "
                   f"FROM {BUREAU_J1_MODEL} j WHERE period_end = $p GROUP BY account_id)")  # fmt: skip
        struct = ", ".join(f"'{c}': b.\"{c}\"" for c in columns if c != "correction_indicator")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE bureau_current AS
            SELECT b.*, md5(CAST({{{struct}}} AS VARCHAR) || coalesce(j.h, '')) AS row_hash
            FROM bureau_rows b LEFT JOIN {j1_hash} j USING (account_id)""",
                    {"p": period_end})  # fmt: skip
        (sequence,) = con.execute(
            f"SELECT coalesce(max(publication_sequence) + 1, 0) FROM {BUREAU_PUBLISHED} WHERE period_end = ?",
            [period_end],
        ).fetchone()
        # the last delivered version of each account of the period
        con.execute(f"""CREATE OR REPLACE TEMP TABLE bureau_delivered AS
            SELECT account_id, row_hash FROM {BUREAU_PUBLISHED} WHERE period_end = $p
            QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY publication_sequence DESC) = 1""",
                    {"p": period_end})  # fmt: skip
        con.execute("""CREATE OR REPLACE TEMP TABLE bureau_out AS
            SELECT c.* REPLACE (CASE WHEN d.account_id IS NULL THEN 0 ELSE 1 END AS correction_indicator)
            FROM bureau_current c LEFT JOIN bureau_delivered d USING (account_id)
            WHERE d.row_hash IS DISTINCT FROM c.row_hash""")
        (changed,) = con.execute("SELECT count(*) FROM bureau_out").fetchone()
        summary = {"period_end": period_end.isoformat(), "sequence": int(sequence), "accounts": int(rows)}
        if sequence and not changed:
            con.execute("ROLLBACK")
            log.info("metro2 %s: already delivered, no account changed", period_end)
            return {**summary, "status": "unchanged", "records": 0, "files": []}
        kind = "correction" if sequence else "original"
        name = f"metro2_{period_end:%Y%m%d}" + (f"_c{sequence:02d}" if sequence else "") + ".dat"
        previous = _previous_bureau_file(con, settings, period_end)
        header = Metro2Header(
            reporter_name=reporter.reporter_name,
            reporter_address=reporter.reporter_address,
            reporter_telephone_number=reporter.reporter_telephone_number,
            equifax_program_identifier=reporter.equifax_program_identifier,
            experian_program_identifier=reporter.experian_program_identifier,
            trans_union_program_identifier=reporter.trans_union_program_identifier,
            innovis_program_identifier=reporter.innovis_program_identifier,
            activity_date=period_end,
            date_created=period_end,  # the run's as-of, never the wall clock: re-runs give the same bytes
            software_vendor_name="CREDITWH",
            software_version_number=creditwh.__version__,
        )
        j1 = (f"SELECT j.* FROM {BUREAU_J1_MODEL} j WHERE j.period_end = DATE '{period_end.isoformat()}' "
              "AND j.account_id IN (SELECT account_id FROM bureau_out)")  # fmt: skip
        with Publication(settings, BUREAU_EXTRACT, period_end) as pub:
            written = write_metro2(con, "bureau_out", j1, header, pub.path(name))
            report = validate_metro2(pub.path(name), previous_path=previous)
            report.raise_for_errors()  # nothing is published; the staging directory is removed
            if report.data_records != written.data_records:
                raise PipelineError(f"{name}: validator read {report.data_records} records, "
                                    f"writer wrote {written.data_records}")  # fmt: skip
            totals = con.execute("""SELECT
                    coalesce(sum(least(greatest(floor(current_balance), 0), 999999999)), 0)::BIGINT,
                    coalesce(sum(least(greatest(floor(amount_past_due), 0), 999999999)), 0)::BIGINT
                FROM bureau_out""").fetchone()
            pub.add(name, records=written.data_records, kind=kind, control_totals={
                "current_balance": int(totals[0]), "amount_past_due": int(totals[1]),
                "j1_segments": written.j1_segments}, extra={
                "sequence": int(sequence), "physical_records": written.physical_records,
                "trailer": written.trailer, "validated_against": previous.name if previous else None,
                "validation_warnings": report.warning_count})  # fmt: skip
            pub.seal(con)
            con.execute(f"""INSERT INTO {BUREAU_PUBLISHED}
                SELECT period_end, $seq, $name, account_id, correction_indicator, row_hash FROM bureau_out""",
                        {"seq": sequence, "name": name})  # fmt: skip
            con.execute("COMMIT")
            published = pub.deliver(con)
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.close()
    log.info("metro2 %s published: %s (%d records, %s)", period_end, name, written.data_records, kind)
    return {**summary, "status": "published", "kind": kind, "records": written.data_records,
            "files": [str(p) for p in published]}  # fmt: skip


def _previous_bureau_file(con, settings: Settings, period_end: dt.date):
    """The original file delivered for the latest earlier period (continuity checks), or None."""
    from creditwh.publish import outbox_dir

    row = con.execute(
        f"""SELECT period_end, file_name FROM {BUREAU_PUBLISHED}
            WHERE period_end < ? AND publication_sequence = 0 ORDER BY period_end DESC LIMIT 1""",
        [period_end],
    ).fetchone()
    if row is None:
        return None
    path = outbox_dir(settings, BUREAU_EXTRACT, row[0]) / row[1]
    return path if path.exists() else None
