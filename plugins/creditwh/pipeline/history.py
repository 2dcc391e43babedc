"""Task bodies of the history load (dags/credit_history_load.py): a bank moving to this warehouse brings
years of daily snapshots, and building them one business date at a time repeats the fixed
cost of a date (task start-ups, one dbt build and two gates each) hundreds of times.

The drops go through the daily run's own checks, date by date and in order: verify, load, raw gate (a date
that fails stops the load there, naming it; the dates before it stay loaded and accepted). The marts are then
built once over the range (creditwh.transform.dbt.build_range: the tables date-by-date builds give), and
the marts gate runs for every date, so the daily run that follows publishes from passed marts. The history
load publishes nothing: its periods were reported by the system it replaces, and the first daily run after
it publishes the blacklist and the bureau files against what was last published (nothing), in full.
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
    """Verify, load and gate every drop of the range in date order; the dates loaded (ISO strings, XCom)."""
    dates = drop_dates(start, end, settings)
    log.info("history %s to %s: %d drops", start, end, len(dates))
    records = 0
    for day in dates:
        daily.verify(day, settings)
        records += sum(daily.load(day, settings)["records"].values())
        daily.validate("raw", day, settings)
    log.info("history %s to %s: %d dates loaded and accepted, %d records", start, end, len(dates), records)
    return [d.isoformat() for d in dates]


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
    """The marts gate for every date (what the daily run's publications require); stops at a failure."""
    for day in dates:
        daily.validate("marts", dt.date.fromisoformat(day), settings)
    return {"dates": len(dates), "first": dates[0], "last": dates[-1]}
