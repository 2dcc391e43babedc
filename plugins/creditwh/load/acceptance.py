"""What the gates' verdicts decide, recorded in the warehouse so no later step has to trust a task state.

- Raw gate: passed -> the date's pending batch is accepted; failed -> it is rolled back to the date's
  previous accepted load and logged in raw.rejected_batches with the failed rules (creditwh.load.batches).
- dbt builds a date only when its batch is accepted and no other batch is pending (prepare_marts_build),
  and it first forgets the date's marts verdict: marts half rebuilt by a killed build are never "passed".
- Marts gate: marts cannot be rolled back at 10M rows a day, so a failed gate leaves them in place and the
  verdict says they are not to be used. Every consumer that publishes calls require_marts_passed first.

Every verdict is kept in reporting.gate_results (one row per gate and date: the latest, with the raw batch
it judged). reporting.marts_passed_dates lists the dates whose marts may be served: the marts gate passed
on the date's current accepted batch, and dbt has not rebuilt the date since.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import TYPE_CHECKING

import duckdb

from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.load import batches
from creditwh.load.raw import ensure_raw_schema

if TYPE_CHECKING:
    from creditwh.quality.gate import GateResult

log = logging.getLogger(__name__)

RAW_GATE = "raw_gate"
MARTS_GATE = "marts_gate"
RAW_GATE_FAILED = "raw gate failed"

GATE_RESULTS_DDL = """
create table if not exists reporting.gate_results (
    gate varchar not null,
    business_date date not null,
    batch_id varchar,               -- the raw batch of the date when the gate ran
    passed boolean not null,
    critical_failures integer not null,
    warning_failures integer not null,
    failed_rules varchar not null,  -- JSON list of {suite, rule, observed}
    checked_at timestamp not null,
    primary key (gate, business_date)
)
"""

MARTS_PASSED_VIEW = f"""
create view if not exists reporting.marts_passed_dates as
select b.business_date, b.batch_id, g.checked_at
from raw.load_batches b
join reporting.gate_results g
  on g.gate = '{MARTS_GATE}' and g.business_date = b.business_date and g.batch_id = b.batch_id
where b.status = 'accepted' and g.passed
"""


class BatchNotAccepted(PipelineError):
    """dbt was asked to build on raw data no gate accepted: re-run the date from load_raw."""


class MartsNotPassed(PipelineError):
    """The date's marts did not pass their gate (or were rebuilt since): nothing may be published from them."""


def ensure_verdict_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_raw_schema(con)
    con.execute("create schema if not exists reporting")
    con.execute(GATE_RESULTS_DDL)
    con.execute(MARTS_PASSED_VIEW)


def failed_rules(result: GateResult) -> list[dict]:
    return [
        {"suite": o.suite, "rule": o.rule, "observed": str(o.observed)[:200]}
        for o in result.failures("critical")
    ]


def settle_raw_batch(settings: Settings, result: GateResult) -> str:
    """Accept or roll back the date's pending batch on the raw gate's verdict; a line for the log."""
    day = result.business_date
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        ensure_verdict_tables(con)
        _record(con, RAW_GATE, result)
        row = con.execute(
            "select batch_id from raw.load_batches where business_date = ? and status = 'pending'", [day]
        ).fetchone()
        if row is None:
            what = "passed" if result.passed else "FAILED"
            return f"raw gate {what} for {day}: no pending batch (the date's accepted load is unchanged)"
        if result.passed:
            batches.accept(con, day, row[0])
            return f"raw batch {row[0]} of {day} accepted"
        done = batches.roll_back(con, day, RAW_GATE_FAILED, failed_rules(result))
        return done.describe() if done else f"raw batch {row[0]} of {day} was already rolled back"
    finally:
        con.close()


def record_marts_verdict(settings: Settings, result: GateResult) -> None:
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        ensure_verdict_tables(con)
        _record(con, MARTS_GATE, result)
    finally:
        con.close()


def prepare_marts_build(settings: Settings, business_date: dt.date) -> None:
    """Before dbt builds the date: its raw batch is accepted, no batch is pending (dbt would read it), and
    the date's marts verdict is forgotten (a build killed half way leaves marts no gate has seen)."""
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        ensure_verdict_tables(con)
        waiting = batches.pending(con)
        if waiting:
            listed = ", ".join(f"{day} (batch {batch})" for day, batch in waiting)
            raise BatchNotAccepted(
                f"dbt build for {business_date} refused: raw batch(es) pending, not accepted by the raw gate: "
                f"{listed}. Re-run load_raw and validate_raw for those dates (the next load rolls them back)."
            )
        row = con.execute(
            "select batch_id from raw.load_batches where business_date = ? and status = 'accepted'",
            [business_date],
        ).fetchone()
        if row is None:
            raise BatchNotAccepted(
                f"dbt build for {business_date} refused: raw.load_batches holds no accepted batch for the date "
                "(never loaded, or rejected by the raw gate: see raw.rejected_batches). Re-run it from load_raw."
            )
        con.execute(
            "delete from reporting.gate_results where gate = ? and business_date = ?",
            [MARTS_GATE, business_date],
        )
    finally:
        con.close()


def require_marts_passed(con: duckdb.DuckDBPyConnection, business_date: dt.date) -> None:
    """Raise MartsNotPassed unless the marts gate passed for the date on its current accepted raw batch
    (and dbt has not rebuilt the date since). Works on a read-only connection."""
    (ready,) = con.execute(
        "select count(*) = 2 from information_schema.tables "
        "where table_schema || '.' || table_name in ('reporting.gate_results', 'raw.load_batches')"
    ).fetchone()
    if not ready:
        raise MartsNotPassed(f"marts of {business_date}: no gate verdict recorded in this warehouse")
    row = con.execute(
        f"""select b.batch_id, b.status, g.batch_id, g.passed, g.critical_failures, g.failed_rules
            from (select ?::date as business_date) d
            left join raw.load_batches b on b.business_date = d.business_date
            left join reporting.gate_results g on g.gate = '{MARTS_GATE}' and g.business_date = d.business_date""",
        [business_date],
    ).fetchone()
    batch, status, judged_batch, passed, critical, rules = row
    if batch is None or status != "accepted":
        why = "no raw batch is loaded" if batch is None else f"raw batch {batch} is {status}"
    elif passed is None:
        why = "no marts gate verdict (the gate has not run since dbt last built the date)"
    elif judged_batch != batch:
        why = f"the marts gate judged raw batch {judged_batch}, the date now holds {batch}"
    elif not passed:
        names = ", ".join(f"{r['suite']}.{r['rule']}" for r in json.loads(rules))
        why = f"the marts gate failed ({critical} critical: {names})"
    else:
        return
    raise MartsNotPassed(f"marts of {business_date} may not be published: {why}")


def _record(con: duckdb.DuckDBPyConnection, gate: str, result: GateResult) -> None:
    con.execute("begin transaction")
    try:
        con.execute(
            "delete from reporting.gate_results where gate = ? and business_date = ?",
            [gate, result.business_date],
        )
        con.execute(
            "insert into reporting.gate_results select ?, ?, "
            "(select batch_id from raw.load_batches where business_date = ?), ?, ?, ?, ?, current_timestamp",
            [
                gate,
                result.business_date,
                result.business_date,
                result.passed,
                result.critical_failures,
                result.warning_failures,
                json.dumps(failed_rules(result)),
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
