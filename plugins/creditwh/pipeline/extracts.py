"""Task bodies of the extracts: the daily shared blacklist, the daily collections lists and the monthly bureau
files (Metro 2 for US consumers, PBOC card account records for consumers identified by a Chinese resident id).

Each reads its settings (before touching the warehouse: a missing key or reporter setting fails fast),
refuses a date whose marts gate did not pass, finishes a publication a killed run left sealed but
undelivered (creditwh.publish.recover), then hands over to the extract's publication, which stages,
validates and records its files and state in one warehouse transaction before moving anything into the
outbox (creditwh.reporting.blacklist.publication, creditwh.reporting.metro2.publication). Each returns a
small summary for XCom. Nothing is published when a check fails, and earlier files are never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from creditwh.config import Settings

if TYPE_CHECKING:
    from creditwh.reporting.metro2.reporter import BureauReporter
    from creditwh.reporting.pboc.reporter import PbocReporter


def publish_blacklist(business_date: dt.date, settings: Settings) -> dict:
    """The day's blacklist delta + snapshot to outbox/blacklist/<date>/ (plus a re-key file when this run
    rotates the HMAC key, see creditwh.reporting.blacklist.rotation)."""
    from creditwh.reporting.blacklist import BlacklistPolicy, load_key
    from creditwh.reporting.blacklist.publication import publish_day
    from creditwh.reporting.blacklist.rotation import ROTATION_ENV

    key = load_key()
    policy = BlacklistPolicy.from_env()
    rotation_from = os.environ.get(ROTATION_ENV) or None
    return _in_warehouse(
        settings, business_date, lambda con: publish_day(con, settings, business_date, key, policy, rotation_from)
    )


def publish_collection_lists(business_date: dt.date, settings: Settings) -> dict:
    """Tomorrow's treatment list (dialer) and reminder list (SMS platform) decided on `business_date`, to
    outbox/collections/<business_date>/; the summary names the rows of each list."""
    from creditwh.reporting.collections.publication import publish_lists

    return _in_warehouse(settings, business_date, lambda con: publish_lists(con, settings, business_date))


def publish_negative_notices(period_end: dt.date, settings: Settings) -> dict:
    """The period's notice list (consumers about to be reported negatively for the first time) to
    outbox/notices/<period_end>/; the bureau DAG publishes the bureau files only after it."""
    from creditwh.reporting.notices import publish_notices

    return _in_warehouse(settings, period_end, lambda con: publish_notices(con, settings, period_end))


def publish_bureau(period_end: dt.date, settings: Settings, reporter: BureauReporter | None = None) -> dict:
    """The Metro 2 file of `period_end` (or a correction file when the period was already delivered and its
    rows changed) to outbox/metro2/<period_end>/."""
    from creditwh.reporting.metro2.publication import publish_period
    from creditwh.reporting.metro2.reporter import BureauReporter

    reporter = reporter or BureauReporter.from_env()
    return _in_warehouse(settings, period_end, lambda con: publish_period(con, settings, period_end, reporter))


def publish_pboc(period_end: dt.date, settings: Settings, reporter: PbocReporter | None = None) -> dict:
    """The PBOC card account file of `period_end` (or its 212 / 213 / 214 correction files when the period
    was already submitted and its records changed) to outbox/pboc/<period_end>/."""
    from creditwh.reporting.pboc.publication import publish_period
    from creditwh.reporting.pboc.reporter import PbocReporter

    reporter = reporter or PbocReporter.from_env()
    return _in_warehouse(
        settings, period_end, lambda con: publish_period(con, settings, period_end, reporter)
    )


def _in_warehouse(settings: Settings, as_of: dt.date, publish: Callable) -> dict:
    """Run `publish` on a warehouse connection after the marts gate check and the recovery of an
    interrupted publication; any error rolls the open transaction back."""
    from creditwh import warehouse
    from creditwh.load.acceptance import require_marts_passed
    from creditwh.publish import recover

    con = warehouse.connect(settings.warehouse_path)
    try:
        require_marts_passed(con, as_of)  # nothing from marts whose gate did not pass
        recover(con, settings)
        return publish(con)
    except BaseException:
        with contextlib.suppress(Exception):  # no transaction open any more
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()

