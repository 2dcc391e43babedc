"""Task bodies of the history load (dags/credit_history_load.py): a range of daily drops loaded and built in
one run. Building them one business date at a time repeats the fixed cost of a date (task start-ups, one
dbt build and two gates each) hundreds of times.

Two uses. A bank migrating to this warehouse brings years of daily snapshots: the history load publishes
nothing (param publish false): those periods were reported by the system it replaces, and the first daily
run after it publishes the blacklist and the bureau files against what was last published (nothing), in
full. A warehouse that fell behind (an outage, the demo's 90 simulated days) catches up with publish true:
after the build, every date's extracts are published in date order, exactly as its daily run and, on a
month end, the bureau run would publish them: the bureau files and notice lists byte for byte; the daily
lists carry the contact details known at the end of the range (docs/operations.md).

Every drop is verified before any is loaded; then each is loaded as a pending batch, and the raw gate judges
every date as its daily run would (the dates side by side in worker processes: creditwh.quality.side_by_side)
before the verdicts are settled in date order: accepted up to the first date the gate rejects, which is
rolled back with its failed rules, and with it every later date (judged on a history holding the rejected
day). The marts are then built once over the range (creditwh.transform.dbt.build_range: the tables
date-by-date builds give), and the marts gate judges every date, so the daily run that follows publishes
from passed marts.
"""

from __future__ import annotations

import datetime as dt
import logging

from creditwh.config import Settings
from creditwh.contract import manifest_name
from creditwh.errors import DropMissing
from creditwh.pipeline import daily

log = logging.getLogger(__name__)


def drop_dates(start: dt.date, end: dt.date, settings: Settings) -> list[dt.date]:
    """Every business date from start to end, each with its complete drop.

    A missing day raises, naming it: the marts built once over a series with gaps (a month-end-only
    history) are not yet what date-by-date runs build (windows judged on the days between loaded dates
    differ), so such a history loads through the daily runs, one date at a time (docs/operations.md)."""
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    missing = [d for d in dates if not daily.drop_arrived(d, settings)]
    if missing:
        error = DropMissing(missing[0], settings.drop_dir(missing[0]) / manifest_name(missing[0]))
        why = "the history load needs every day (a month-end-only history loads with `creditwh run`, one date at a time)"
        error.args = (
            f"{error}; {len(missing)} of the {len(dates)} dates from {start} to {end} have no drop: {why}",
        )
        raise error
    return dates


def load_range(start: dt.date, end: dt.date, settings: Settings) -> list[str]:
    """Verify, load and gate every drop of the range; the dates loaded and accepted (ISO strings, XCom)."""
    from creditwh.load import load_drop

    dates = drop_dates(start, end, settings)
    log.info("history %s to %s: %d drops", start, end, len(dates))
    for day in dates:  # a bad drop fails before anything is loaded
        daily.verify(day, settings)
    records = 0
    for i, day in enumerate(dates):  # (each load re-reads its checksums)
        loaded = load_drop(settings.warehouse_path, settings.drop_dir(day), day, keep_pending=i > 0)
        records += sum(loaded.records.values())
    settle_raw_range(dates, settings)
    log.info("history %s to %s: %d dates loaded and accepted, %d records", start, end, len(dates), records)
    return [d.isoformat() for d in dates]


def settle_raw_range(dates: list[dt.date], settings: Settings) -> None:
    """The raw gate's verdict on every pending date, settled in date order (see the module's docstring)."""
    from creditwh import warehouse
    from creditwh.load import acceptance, batches
    from creditwh.quality import ValidationGateFailed
    from creditwh.quality.side_by_side import judge_dates

    for i, result in enumerate(judge_dates("raw_gate", dates, settings)):
        log.info("%s", acceptance.settle_raw_batch(settings, result))
        if result.passed:
            continue
        con = warehouse.connect(settings.warehouse_path)
        try:
            for later in dates[i + 1 :]:
                batches.roll_back(con, later, f"not judged: the raw gate rejected {result.business_date}, earlier "
                                               "in the same history load")  # fmt: skip
        finally:
            con.close()
        raise ValidationGateFailed(result)


def build_range(dates: list[str], settings: Settings) -> list[str]:
    """One build of the marts over the loaded dates; fails naming the models and tests that failed."""
    from creditwh.load.acceptance import prepare_marts_build
    from creditwh.transform.dbt import build_range as dbt_build_range
    from creditwh.transform.dbt import check_area

    days = [dt.date.fromisoformat(d) for d in dates]
    for day in days:
        prepare_marts_build(settings, day)
    lines = []
    for area in dbt_build_range(days, settings):
        lines += check_area(area) or []
    return lines


def validate_marts_range(dates: list[str], settings: Settings) -> dict:
    """The marts gate for every date (what publications require), every verdict recorded; fails naming
    the first date it rejected and how many it rejected."""
    from creditwh.load.acceptance import record_marts_verdict
    from creditwh.quality import ValidationGateFailed
    from creditwh.quality.side_by_side import judge_dates

    results = judge_dates("marts_gate", [dt.date.fromisoformat(d) for d in dates], settings)
    for result in results:
        record_marts_verdict(settings, result)
    failed = [r for r in results if not r.passed]
    if failed:
        log.error("marts gate rejected %d of %d dates: %s", len(failed), len(results),
                  ", ".join(str(r.business_date) for r in failed))  # fmt: skip
        raise ValidationGateFailed(failed[0])
    return {"dates": len(dates), "first": dates[0], "last": dates[-1]}


def publish_range(dates: list[str], settings: Settings) -> dict:
    """Every date's extracts in date order, as its daily run publishes them (blacklist, collections lists,
    the BI serving copy when serving is configured) and, on a month end, as the bureau run does (notice
    list, then Metro 2 and PBOC files). Stops at the first failure, naming the date and extract; the
    dates before it stay published, and a re-run publishes the same bytes again."""
    from creditwh.pipeline import extracts
    from creditwh.serving.settings import ServingDisabled, serving_settings

    try:
        serving_settings()
        serving = True
    except ServingDisabled as off:
        log.info("%s: the catch-up serves no date", off)
        serving = False
    published = {"dates": 0, "periods": 0}
    for day in map(dt.date.fromisoformat, dates):
        steps = [extracts.publish_blacklist, extracts.publish_collection_lists]
        steps += [daily.publish_serving] if serving else []
        if daily.is_month_end(day):
            steps += [extracts.publish_negative_notices, extracts.publish_bureau, extracts.publish_pboc]
            published["periods"] += 1
        for step in steps:
            try:
                summary = step(day, settings)
            except Exception as error:
                error.add_note(f"catch-up: {step.__name__} for {day} failed; the dates before it are published")
                raise
            log.info("%s %s: %s", step.__name__, day, summary)
        published["dates"] += 1
    return published
