"""The days tests run on: never the real one. Every test sees the reference day unless it is
marked `across_dates`, which runs it once on each critical day; `QN_TEST_TODAY` moves the
reference day for a whole run (see tests/README.md)."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")

REFERENCE_DAY = datetime(2027, 3, 10, 9, 30, tzinfo=BERLIN)
"""A Wednesday, in local time (Berlin)."""

CRITICAL_DAYS = {
    "wednesday": datetime(2027, 3, 10, 9, 30, tzinfo=BERLIN),
    "leap-day": datetime(2028, 2, 29, 10, 0, tzinfo=BERLIN),
    # the last Sunday of October: 03:00 summer time becomes 02:00 winter time in Berlin
    "clock-change": datetime(2026, 10, 25, 1, 45, tzinfo=BERLIN),
    "new-years-eve": datetime(2026, 12, 31, 23, 40, tzinfo=BERLIN),
}
"""Days on which date rules break if they break at all."""


def reference_day() -> datetime:
    """The reference day, or `QN_TEST_TODAY` (ISO 8601; local Berlin time without an offset)."""
    override = os.environ.get("QN_TEST_TODAY")
    if not override:
        return REFERENCE_DAY
    day = datetime.fromisoformat(override)
    return day if day.tzinfo else day.replace(tzinfo=BERLIN)


def day_in_next_week(today: date, weekday: int) -> date:
    """The day with `weekday` (0 = Monday) in the calendar week after the one `today` is in: a
    Tuesday always comes before the Wednesday of the same call, whatever day `today` is."""
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return monday + timedelta(days=weekday)
