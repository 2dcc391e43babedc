"""Business dates of the small simulated landing zone shared by the tests (see conftest.small_landing)."""

from __future__ import annotations

import datetime as dt

START = dt.date(2026, 1, 1)
SMALL_DAYS = 4


def business_dates(n: int = SMALL_DAYS) -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range(n)]
