"""Checks of a Metro 2 file that need more than the file: what the bureau already holds, and the daily history.

`validate_metro2` judges a file on its own (and its continuity with the previous file); these rules need the
warehouse and run in the publication's connection, before anything is published (docs/metro2.md section 4):

  vanished_account  every account the previous period's delivered files (original + corrections, each
                    account's last record) reported with a non-final status is in this period's file. Only
                    a final status ends an account's reporting (spec.STATUSES_FINAL: 13 and 61-65 paid or
                    closed, 05 transferred, DA / DF deleted); otherwise the bureau keeps showing the last status we
                    sent. Compared with the delivered files read back, not with the model's previous rows:
                    the bureau holds what we sent, and the model can have been rebuilt since.
  dofd_history      the Date of First Delinquency of every delinquent record (DOFD_CHECKED_STATUSES) equals
                    an independent recomputation from the daily account history (HISTORY): the first day
                    the account was 30+ days past due since it was last current (DPD 0), read as
                    date - (DPD - 30) so a day missing from the history does not shift it. A partial payment
                    that lowers DPD without reaching 0 does not start a new delinquency; a cure does. For a
                    charged-off account the history stops at the charge-off date (the delinquency that led
                    to it).

The history read is bounded: the period's accounts only, and only the last `lookback_days` days (default
DOFD_LOOKBACK_DAYS, past the 180 days at which an account charges off). When the account was delinquent on
every day of that window, its delinquency began earlier and the check is a bound: the DOFD may not be later
than the window's first day implies (a partial payment before the window only makes the true date earlier).
A charged-off account whose charge-off predates the window is not re-derived (its DOFD was fixed then; the
validator's prog_dofd_1 holds it to the previous file); the report counts those records.

Records are matched to the history by Consumer Account Number = account_id (rpt_bureau_accounts reports the
account id). Set-based DuckDB SQL throughout; record numbers are physical lines (1 = header), as in the
validator.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from creditwh.errors import PipelineError
from creditwh.reporting.metro2.spec import BASE, STATUSES_FINAL, STATUSES_REQUIRING_DOFD
from creditwh.reporting.metro2.validator import ERROR, Metro2Finding, load_records

HISTORY = "marts.fct_account_daily"  # business_date, account_id, days_past_due, charge_off_date
DOFD_LOOKBACK_DAYS = 190
FINAL_STATUSES = STATUSES_FINAL
DOFD_CHECKED_STATUSES = STATUSES_REQUIRING_DOFD | {"64"}  # 64: the charge-off's delinquency, kept once paid
SAMPLES_PER_RULE = 20
MESSAGE_FINDINGS = 5  # findings quoted in the exception's message


class Metro2ConsistencyError(PipelineError):
    """A Metro 2 file disagrees with what was delivered before or with the daily history."""

    def __init__(self, report: ConsistencyReport):
        self.report = report
        by_rule = ", ".join(f"{rule}={n}" for rule, n in sorted(report.error_counts.items()))
        errors = [f for f in report.findings if f.severity == ERROR]
        shown = "; ".join(str(f) for f in errors[:MESSAGE_FINDINGS])
        more = (
            f" (+{len(errors) - MESSAGE_FINDINGS} more in the report)"
            if len(errors) > MESSAGE_FINDINGS
            else ""
        )
        super().__init__(f"{report.path}: Metro 2 consistency check failed ({by_rule}): {shown}{more}")


@dataclass
class ConsistencyReport:
    path: Path
    previous_paths: list[Path]
    findings: list[Metro2Finding]  # at most SAMPLES_PER_RULE per rule
    error_counts: dict[str, int]  # rule -> number of findings
    dofd_checked: int = 0  # delinquent records compared with the history (exactly or as a bound)
    dofd_bounded: int = 0  # of those, delinquent through the whole window: compared as a bound
    dofd_frozen: int = 0  # charged off before the window: not re-derived
    seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error_counts

    def raise_for_errors(self) -> None:
        if not self.ok:
            raise Metro2ConsistencyError(self)


def _base_columns() -> str:
    cols = ("identification_number", "consumer_account_number", "account_status", "date_first_delinquency")
    return ", ".join(f"{BASE.field(n).sql('rec')} AS {n}" for n in cols)


class _Tables:
    """Temp tables private to one check in the caller's connection, dropped at the end."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tag = f"_m2c_{uuid.uuid4().hex[:10]}"
        self.names: list[str] = []

    def name(self, suffix: str) -> str:
        n = f"{self.tag}_{suffix}"
        self.names.append(n)
        return n

    def load_base(self, path: Path, suffix: str) -> str:
        """The data records of the file at `path`: record_number, account_number and the fields the checks
        read (the lines themselves are not kept: a period's file can hold millions of records)."""
        records = load_records(self.con, path, self.name(suffix), temp=True, columns=_base_columns())
        self.names.append(records)
        table = self.name(f"{suffix}_base")
        self.con.execute(f"""CREATE TEMP TABLE {table} AS
            SELECT record_number, trim(consumer_account_number) AS account_number, * EXCLUDE (
                       record_number, consumer_account_number, line_length, kind)
            FROM {records} WHERE kind = 'base'""")
        self.con.execute(f"DROP TABLE {records}")
        return table

    def drop(self) -> None:
        for n in reversed(self.names):
            self.con.execute(f"DROP TABLE IF EXISTS {n}")


def _in_list(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def _vanished_sql(current: str, previous: list[tuple[str, str]]) -> str:
    """Accounts whose last delivered record (the highest sequence among the previous period's files) has a
    non-final status and which are absent from `current`."""
    union = " UNION ALL ".join(
        f"SELECT {seq} AS seq, '{name}' AS file_name, account_number, account_status FROM {table}"
        for seq, (table, name) in enumerate(previous)
    )
    finals = ", ".join(sorted(FINAL_STATUSES))
    return f"""SELECT NULL, p.account_number, 'account_status', 'vanished_account', '{ERROR}',
                      'reported with status ' || p.account_status || ' in ' || p.file_name
                      || ', absent from this file: only a final status ({finals}) ends an account''s reporting'
               FROM (SELECT * FROM ({union})
                     QUALIFY row_number() OVER (PARTITION BY account_number ORDER BY seq DESC) = 1) p
               WHERE p.account_status NOT IN {_in_list(FINAL_STATUSES)}
                 AND p.account_number NOT IN (SELECT account_number FROM {current})"""


def _dofd_tables(t: _Tables, current: str, history: str, period_end: dt.date, lookback_days: int) -> str:
    """Build the expected DOFD of every delinquent record of `current`; returns the comparison table.

    Only the window's past-due days (DPD > 0) of these accounts are read, with the list of dates the history
    holds: a date the history holds on which the account has no past-due row was a current day (DPD 0, or
    not yet open). So the current delinquency is the account's last unbroken run of past-due dates up to the
    cut, and the bulk of the history (current accounts, DPD 0) is skipped by a plain filter, never joined."""
    con = t.con
    window_start = period_end - dt.timedelta(days=lookback_days - 1)
    checked, dates, past_due, compared = (t.name(n) for n in ("checked", "dates", "past_due", "dofd"))
    params = {"w": window_start, "p": period_end}
    con.execute(f"""CREATE TEMP TABLE {checked} AS
        SELECT record_number, account_number, account_status, date_first_delinquency AS file_dofd_raw,
               CASE WHEN date_first_delinquency = '00000000' THEN NULL
                    ELSE CAST(try_strptime(date_first_delinquency, '%m%d%Y') AS DATE) END AS file_dofd
        FROM {current} WHERE account_status IN {_in_list(DOFD_CHECKED_STATUSES)}""")
    # the history is stored by business date: the date range prunes, DPD > 0 filters in the scan
    con.execute(
        f"""CREATE TEMP TABLE {dates} AS
        SELECT business_date, row_number() OVER (ORDER BY business_date) AS idx
        FROM (SELECT DISTINCT business_date FROM {history} WHERE business_date BETWEEN $w AND $p)""",
        params,
    )
    con.execute(
        f"""CREATE TEMP TABLE {past_due} AS
        SELECT f.account_id, f.business_date, f.days_past_due, f.charge_off_date, d.idx
        FROM (SELECT account_id, business_date, days_past_due, charge_off_date FROM {history}
              WHERE business_date BETWEEN $w AND $p AND days_past_due > 0) f
        JOIN {dates} d USING (business_date)
        WHERE f.account_id IN (SELECT account_number FROM {checked})""",
        params,
    )
    con.execute(
        f"""CREATE TEMP TABLE {compared} AS
        WITH cut AS (  -- a charge-off fixes the delinquency: the history stops there
            SELECT account_id, least($p, coalesce(max(charge_off_date), $p)) AS cut_date
            FROM {past_due} GROUP BY account_id),
        runs AS (  -- gaps and islands over the history's dates: one island per unbroken past-due run
            SELECT h.*, h.idx - row_number() OVER (PARTITION BY h.account_id ORDER BY h.idx) AS island
            FROM {past_due} h JOIN cut USING (account_id) WHERE h.business_date <= cut.cut_date),
        episode AS (  -- the last run before the cut
            SELECT account_id, min(idx) AS first_idx, max(idx) AS last_idx, min(business_date) AS first_day
            FROM runs WHERE (account_id, island) IN (
                SELECT (account_id, arg_max(island, idx)) FROM runs GROUP BY account_id)
            GROUP BY account_id),
        first_30 AS (
            SELECT r.account_id,
                   arg_min(r.business_date - (r.days_past_due - 30), r.business_date) AS dofd,
                   min(r.business_date) AS seen_on,
                   arg_min(r.days_past_due, r.business_date) AS dpd_then
            FROM runs r JOIN episode e ON e.account_id = r.account_id AND r.idx >= e.first_idx
            WHERE r.days_past_due >= 30
            GROUP BY r.account_id),
        cut_idx AS (SELECT c.account_id, max(d.idx) AS idx FROM cut c JOIN {dates} d ON d.business_date <= c.cut_date
                    GROUP BY c.account_id)
        SELECT c.*, cut.cut_date, e.first_day,
               before.business_date AS last_current,  -- the history's date before the run
               after.business_date AS current_again,  -- a current day after the run, up to the cut
               CASE WHEN after.business_date IS NULL THEN f.dofd END AS history_dofd, f.seen_on, f.dpd_then,
               CASE WHEN cut.account_id IS NULL THEN 'no_history'
                    WHEN e.account_id IS NULL THEN 'frozen'
                    WHEN e.first_day = $w THEN 'bound'
                    ELSE 'exact' END AS basis
        FROM {checked} c
        LEFT JOIN cut ON cut.account_id = c.account_number
        LEFT JOIN episode e ON e.account_id = c.account_number
        LEFT JOIN first_30 f ON f.account_id = c.account_number
        LEFT JOIN cut_idx ci ON ci.account_id = c.account_number
        LEFT JOIN {dates} before ON before.idx = e.first_idx - 1
        LEFT JOIN {dates} after ON after.idx = e.last_idx + 1 AND e.last_idx < ci.idx""",
        params,
    )
    return compared


def _dofd_findings_sql(compared: str, history: str, window_start: dt.date) -> str:
    def mdy(col: str) -> str:
        return f"coalesce(strftime({col}, '%m%d%Y'), '00000000')"

    since = (
        "CASE WHEN last_current IS NULL THEN 'in the history from ' || first_day "
        "ELSE 'since it was last current on ' || last_current END"
    )
    return f"""
        SELECT record_number, account_number, 'date_first_delinquency', 'dofd_history', '{ERROR}',
               'status ' || account_status || ' but {history} has no past-due day of the account between '
               || DATE '{window_start}' || ' and the period end'
        FROM {compared} WHERE basis = 'no_history'
        UNION ALL
        SELECT record_number, account_number, 'date_first_delinquency', 'dofd_history', '{ERROR}',
               'DOFD ' || file_dofd_raw || ' in the file, the daily history gives ' || {mdy("history_dofd")}
               || CASE WHEN current_again IS NOT NULL
                       THEN ' (the account is current again on ' || current_again || ')'
                       WHEN history_dofd IS NULL
                       THEN ' (never 30+ days past due ' || {since} || ')'
                       ELSE ' (first 30+ days past due ' || {since} || ': DPD ' || dpd_then || ' on '
                            || seen_on || ')' END
        FROM {compared} WHERE basis = 'exact' AND file_dofd IS DISTINCT FROM history_dofd
        UNION ALL
        SELECT record_number, account_number, 'date_first_delinquency', 'dofd_history', '{ERROR}',
               'DOFD ' || file_dofd_raw || ' in the file, the daily history gives ' || {mdy("history_dofd")}
               || ' at the latest (delinquent on every day since ' || first_day || ', DPD '
               || coalesce(CAST(dpd_then AS VARCHAR), '<30') || ' on ' || coalesce(CAST(seen_on AS VARCHAR), '-')
               || ')'
        FROM {compared}
        WHERE basis = 'bound' AND (history_dofd IS NULL OR file_dofd IS NULL OR file_dofd > history_dofd)"""


def check_consistency(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    period_end: dt.date,
    *,
    previous_paths: Sequence[Path | str] = (),
    complete: bool = True,
    history: str = HISTORY,
    lookback_days: int = DOFD_LOOKBACK_DAYS,
) -> ConsistencyReport:
    """Check the Metro 2 file at `path` (period `period_end`) against the previous period's delivered files
    (`previous_paths`, original first then its corrections) and the daily history `history` in `con`.
    `complete` = the file is the period's original (every account): only then can an account be missing;
    a correction file carries the changed accounts only."""
    started = time.perf_counter()
    path = Path(path)
    previous = [Path(p) for p in previous_paths]
    window_start = period_end - dt.timedelta(days=lookback_days - 1)
    prior_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    t = _Tables(con)
    try:
        con.execute("SET preserve_insertion_order = true")  # record numbers = line numbers
        current = t.load_base(path, "cur")
        checks = []
        if complete and previous:
            tables = [(t.load_base(p, f"prev{i}"), p.name) for i, p in enumerate(previous)]
            checks.append(_vanished_sql(current, tables))
        compared = _dofd_tables(t, current, history, period_end, lookback_days)
        checks.append(_dofd_findings_sql(compared, history, window_start))
        findings = t.name("findings")
        con.execute(f"""CREATE TEMP TABLE {findings} AS
            SELECT * FROM ({" UNION ALL ".join(f"({q})" for q in checks)})
                AS f(record_number, account_number, field, rule, severity, detail)""")
        counts = dict(con.execute(f"SELECT rule, count(*) FROM {findings} GROUP BY rule").fetchall())
        samples = [
            Metro2Finding(*row)
            for row in con.execute(f"""SELECT * FROM {findings}
                QUALIFY row_number() OVER (PARTITION BY rule ORDER BY record_number, account_number)
                        <= {SAMPLES_PER_RULE}
                ORDER BY rule, record_number, account_number""").fetchall()
        ]
        checked, bounded, frozen = con.execute(f"""SELECT count(*) FILTER (WHERE basis IN ('exact', 'bound')),
                   count(*) FILTER (WHERE basis = 'bound'), count(*) FILTER (WHERE basis = 'frozen')
            FROM {compared}""").fetchone()
    finally:
        t.drop()
        con.execute(f"SET preserve_insertion_order = {'true' if prior_order else 'false'}")
    return ConsistencyReport(
        path=path,
        previous_paths=previous,
        findings=samples,
        error_counts={k: int(v) for k, v in counts.items()},
        dofd_checked=int(checked),
        dofd_bounded=int(bounded),
        dofd_frozen=int(frozen),
        seconds=time.perf_counter() - started,
    )
