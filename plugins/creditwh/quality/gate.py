"""Run a validation gate for one business date: raw completeness before dbt, marts before the extracts.

Every check runs inside DuckDB on the table's partition for the business date (GX batch definitions on
the date column's value, in the committed project); nothing is loaded into pandas. CRITICAL failures raise
ValidationGateFailed, WARNING failures are only recorded. Every run's results are stored (gx/validations);
Data Docs pages are built for runs with failures or warnings, and `creditwh data-docs` rebuilds the whole
site.

The gate only judges: the raw gate validates the date's *pending* load batch (its rows are in raw.*, the
previous days are all accepted ones), and creditwh.load.acceptance acts on the verdict — accepts the batch,
or rolls the date back to its previous accepted load — and records every verdict in reporting.gate_results.

The validation definitions are run one by one rather than through ``Checkpoint.run``: a checkpoint applies
one result_format to all its definitions (the key columns that make a failing row identifiable differ per
table), and it aborts on a partition without rows, which is legitimate for payments, customer changes,
roll rates off month end and the not-yet-built bureau model. The committed checkpoint still lists what the
gate runs (and runs the full set by hand on a complete day).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from creditwh.config import Settings
from creditwh.errors import PipelineError
from creditwh.quality.catalog import GATES, MARTS_GATE, RAW_GATE, Check, Gate
from creditwh.quality.project import DATA_DOCS_SITE, close_context, open_context
from creditwh.quality.severity import CRITICAL, WARNING, severity_of

log = logging.getLogger(__name__)

SAMPLE_ROWS = 3


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    rule: str  # meta.rule, or the expectation type
    expectation_type: str
    column: str | None
    severity: str
    success: bool
    observed: Any = None  # unexpected count, observed value, …
    sample: tuple[dict, ...] = ()  # a few failing rows/values
    skipped: str | None = None  # why the expectation was not evaluated

    def describe(self) -> str:
        target = f" on {self.column}" if self.column else ""
        head = f"suite {self.suite}, expectation {self.rule} ({self.expectation_type}{target})"
        if self.skipped:
            return f"{head}: skipped ({self.skipped})"
        rows = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in self.sample)
        return f"{head}: observed {self.observed}" + (f"; sample: {rows}" if rows else "")


@dataclass
class GateResult:
    gate: str
    business_date: dt.date
    outcomes: list[ExpectationOutcome] = field(default_factory=list)
    data_docs_index: Path | None = None

    def failures(self, severity: str) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and not o.skipped and o.severity == severity]

    @property
    def critical_failures(self) -> int:
        return len(self.failures(CRITICAL))

    @property
    def warning_failures(self) -> int:
        return len(self.failures(WARNING))

    @property
    def skipped(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.skipped]

    @property
    def passed(self) -> bool:
        return self.critical_failures == 0

    def summary(self) -> dict:
        """Small enough for XCom."""
        return {
            "gate": self.gate,
            "business_date": self.business_date.isoformat(),
            "expectations": len(self.outcomes),
            "critical_failures": self.critical_failures,
            "warning_failures": self.warning_failures,
            "skipped": len(self.skipped),
            "data_docs_index": str(self.data_docs_index) if self.data_docs_index else None,
        }


class ValidationGateFailed(PipelineError):
    """A CRITICAL expectation failed: nothing downstream may run for this business date."""

    def __init__(self, result: GateResult):
        self.result = result
        failures = result.failures(CRITICAL)
        lines = [
            (
                f"{result.gate} failed for {result.business_date}: {len(failures)} critical expectation(s) failed "
                f"(Data Docs: {result.data_docs_index})"
            )
        ]
        lines += [f"  - {o.describe()}" for o in failures]
        super().__init__("\n".join(lines))


def run_raw_gate(business_date: dt.date, settings: Settings) -> GateResult:
    return run_gate(RAW_GATE, business_date, settings)


def run_marts_gate(business_date: dt.date, settings: Settings) -> GateResult:
    return run_gate(MARTS_GATE, business_date, settings)


def run_gate(gate: Gate | str, business_date: dt.date, settings: Settings) -> GateResult:
    gate = GATES[gate] if isinstance(gate, str) else gate
    result = GateResult(gate.name, business_date)
    presence = _partitions_present(settings.warehouse_path, gate.checks, business_date)
    run_id = RunIdentifier(run_name=f"{gate.name}-{business_date:%Y%m%d}")
    context = open_context(settings)
    try:
        checkpoint = context.checkpoints.get(gate.name)
        checks = {c.suite: c for c in gate.checks}
        built = []  # pages to (re)build: this run's results and their suites; the index lists all runs
        for definition in checkpoint.validation_definitions:
            check = checks[definition.name]
            absent = _absent_reason(check, *presence[check.suite])
            if absent:
                result.outcomes.append(absent)
                continue
            validation = _validate(definition, check, {check.date_column: business_date.isoformat()}, run_id)
            result.outcomes.extend(_outcomes(check, validation))
            suite_id = ExpectationSuiteIdentifier(name=check.suite)
            built += [suite_id, ValidationResultIdentifier(suite_id, run_id, validation.batch_id)]
        if built and (result.critical_failures or result.warning_failures):
            # Pages for a run someone must look at. Clean runs are only stored (gx/validations): rebuilding the
            # site's index lists every run ever stored, a cost that grows with history on every day.
            with _data_docs_lock(settings):
                context.build_data_docs(site_names=[DATA_DOCS_SITE], resource_identifiers=built)
            result.data_docs_index = settings.data_docs_dir / "index.html"
    finally:
        close_context(context, settings.warehouse_path)
    log.info("%s %s: %s", gate.name, business_date, result.summary())
    for warning in result.failures(WARNING):
        log.warning("%s %s warning: %s", gate.name, business_date, warning.describe())
    if not result.passed:
        raise ValidationGateFailed(result)
    return result


def _validate(definition, check: Check, batch_parameters: dict, run_id: RunIdentifier):
    """Run one validation definition: first in BASIC format (verdicts, observed values and counts), and
    only when an expectation failed or raised, again in COMPLETE format with the failing rows' keys.

    COMPLETE costs a third more queries on every map expectation (the unexpected index list and its
    query), which a clean partition leaves empty. The second run has the same run id and batch, so its
    result replaces the first in the store: a run with a failure is stored exactly as before."""
    basic = definition.run(
        batch_parameters=batch_parameters,
        result_format={"result_format": "BASIC", "partial_unexpected_count": SAMPLE_ROWS},
        run_id=run_id,
    )
    if all(evr.success and not (evr.exception_info or {}).get("raised_exception") for evr in basic.results):
        return basic
    return definition.run(
        batch_parameters=batch_parameters,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": list(check.key_columns),
            "partial_unexpected_count": SAMPLE_ROWS,
        },
        run_id=run_id,
    )


def build_data_docs(settings: Settings) -> Path:
    """Rebuild the whole Data Docs site from every stored validation result (`creditwh data-docs`)."""
    context = open_context(settings)
    try:
        with _data_docs_lock(settings):
            context.build_data_docs(site_names=[DATA_DOCS_SITE])
    finally:
        close_context(context, settings.warehouse_path)
    return settings.data_docs_dir / "index.html"


@contextlib.contextmanager
def _data_docs_lock(settings: Settings):
    """One writer of the Data Docs site at a time: the history load runs gates in parallel processes
    (creditwh.quality.side_by_side), and each rewrites the site's index."""
    settings.data_docs_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.data_docs_dir.parent / ".data_docs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _partitions_present(warehouse: Path, checks, business_date: dt.date) -> dict[str, tuple[bool, int]]:
    """(table exists, rows for the date) per check, from information_schema; the connection is closed here."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        presence = {}
        for check in checks:
            (exists,) = con.execute(
                "select count(*) > 0 from information_schema.tables where table_schema = ? and table_name = ?",
                [check.schema, check.table_name],
            ).fetchone()
            rows = 0
            if exists:
                (rows,) = con.execute(
                    f"select count(*) from {check.table} where {check.date_column} = ?", [business_date]
                ).fetchone()
            presence[check.suite] = (bool(exists), int(rows))
        return presence
    finally:
        con.close()


def _absent_reason(check: Check, exists: bool, rows: int) -> ExpectationOutcome | None:
    """A partition that cannot be validated: a skip when allowed, else a critical failure of its own."""
    if exists and rows:
        return None
    if not exists:
        rule, why, allowed = "table_exists", f"{check.table} does not exist", check.optional
    else:
        rule, why, allowed = (
            "rows_for_business_date",
            f"{check.table} has no rows for the date",
            check.may_be_empty,
        )
    return ExpectationOutcome(
        suite=check.suite,
        rule=rule,
        expectation_type="partition_present",
        column=None,
        severity=CRITICAL,
        success=allowed,
        observed=why,
        skipped=why if allowed else None,
    )


def _outcomes(check: Check, validation) -> list[ExpectationOutcome]:
    outcomes = []
    for evr in validation.results:
        config = evr.expectation_config.to_json_dict()
        details = evr.result or {}
        exception = evr.exception_info or {}
        if exception.get("raised_exception"):
            observed, sample = "error", ({"exception": str(exception.get("exception_message"))[:300]},)
        else:
            observed = details.get("observed_value", details.get("unexpected_count"))
            sample = () if evr.success else _sample(details)
        outcomes.append(
            ExpectationOutcome(
                suite=check.suite,
                rule=(config.get("meta") or {}).get("rule", config["type"]),
                expectation_type=config["type"],
                column=config["kwargs"].get("column"),
                severity=severity_of(config),
                success=bool(evr.success),
                observed=observed,
                sample=sample,
            )
        )
    return outcomes


def _sample(details: dict) -> tuple[dict, ...]:
    """A few failing rows: the query's rows, the failing keys with their value, or bare values."""
    rows = (details.get("details") or {}).get("unexpected_rows")
    if rows is None:
        rows = details.get("partial_unexpected_index_list") or details.get("unexpected_index_list")
    if rows is None and details.get("partial_unexpected_list") is not None:
        rows = [{"value": v} for v in details["partial_unexpected_list"]]
    return tuple(dict(r) for r in (rows or [])[:SAMPLE_ROWS])
