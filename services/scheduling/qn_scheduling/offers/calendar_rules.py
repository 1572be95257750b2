"""The calendar an offer's occurrences must fit: the federal state's public holidays (from the
`holidays` library), the site's closures and its opening hours. Plain data in, decisions out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from ..sites.domain import WEEKDAYS, Closure, Window, windows_on

MOVE_AHEAD_DAYS = 14
"""How far an occurrence on a holiday may move forward to the next open day."""


class OnHoliday(StrEnum):
    """What happens to an occurrence on a public holiday or a closure day."""

    SKIP = "skip"
    MOVE = "move"  # to the next open day, same time
    KEEP = "keep"  # takes place if the site's coordinator approves it


class OccurrenceStatus(StrEnum):
    SCHEDULED = "scheduled"
    PENDING_APPROVAL = "pending_approval"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class ChangeReason(StrEnum):
    """Why an occurrence did not take place as planned; free words go in the note."""

    PUBLIC_HOLIDAY = "public_holiday"
    SITE_CLOSED = "site_closed"
    COLLISION = "collision"
    ILLNESS = "illness"
    NOT_NEEDED = "not_needed"
    RESCHEDULED = "rescheduled"
    ROOM_UNAVAILABLE = "room_unavailable"
    NOT_RECONFIRMED = "not_reconfirmed"
    OTHER = "other"


@dataclass(frozen=True)
class Blocker:
    reason: ChangeReason
    label: str  # "2. Weihnachtsfeiertag", "Sommerpause"


@dataclass(frozen=True)
class Planned:
    """One occurrence as the calendar places it: `recurrence_id` is where the rule put it,
    `starts_at` where it takes place (different when moved)."""

    recurrence_id: datetime
    starts_at: datetime
    ends_at: datetime
    status: OccurrenceStatus
    reason: ChangeReason | None = None
    label: str | None = None


@lru_cache(maxsize=64)
def _state_holidays(state: str | None, year: int) -> dict[date, str]:
    table = holidays.country_holidays("DE", subdiv=state, years=year, language="de")
    return dict(table.items())


def holiday_on(day: date, state: str | None) -> str | None:
    """The name of the public holiday on `day` in the federal state (`ST`, `BE` ...), if any."""
    return _state_holidays(state, day.year).get(day)


def blocker_on(day: date, state: str | None, closures: Iterable[Closure]) -> Blocker | None:
    name = holiday_on(day, state)
    if name is not None:
        return Blocker(ChangeReason.PUBLIC_HOLIDAY, name)
    for closure in closures:
        if closure.first_day <= day <= closure.last_day:
            return Blocker(ChangeReason.SITE_CLOSED, closure.reason or "geschlossen")
    return None


def within_hours(starts_at: datetime, ends_at: datetime, hours: Sequence[Window], tz: ZoneInfo) -> bool:
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if end.date() != start.date():
        return False
    return any(w.opens <= start.time() and end.time() <= w.closes for w in windows_on(hours, WEEKDAYS[start.weekday()]))


def place(
    starts: Sequence[datetime],
    duration: timedelta,
    *,
    policy: OnHoliday,
    state: str | None,
    closures: Sequence[Closure],
    hours: Sequence[Window],
    tz: ZoneInfo,
) -> list[Planned]:
    """Places each start of a series on the calendar: on a holiday or closure day it is skipped,
    moved to the next open day at the same time, or kept pending the coordinator's approval."""
    planned = []
    taken = {start.astimezone(tz).date() for start in starts}  # a move never doubles up a day of the series
    for start in starts:
        blocker = blocker_on(start.date(), state, closures)
        if blocker is None:
            planned.append(Planned(start, start, start + duration, OccurrenceStatus.SCHEDULED))
        elif policy is OnHoliday.KEEP:
            planned.append(
                Planned(
                    start, start, start + duration, OccurrenceStatus.PENDING_APPROVAL, blocker.reason, blocker.label
                )
            )
        elif policy is OnHoliday.MOVE and (moved := _next_open(start, duration, state, closures, hours, tz, taken)):
            taken.add(moved.date())
            planned.append(
                Planned(start, moved, moved + duration, OccurrenceStatus.SCHEDULED, blocker.reason, blocker.label)
            )
        else:
            planned.append(
                Planned(start, start, start + duration, OccurrenceStatus.SKIPPED, blocker.reason, blocker.label)
            )
    return planned


def _next_open(
    start: datetime,
    duration: timedelta,
    state: str | None,
    closures: Sequence[Closure],
    hours: Sequence[Window],
    tz: ZoneInfo,
    taken: set[date],
) -> datetime | None:
    local = start.astimezone(tz)
    for ahead in range(1, MOVE_AHEAD_DAYS + 1):
        # the same wall-clock time on a later day, whatever the clock change did in between
        candidate = datetime.combine(local.date() + timedelta(days=ahead), local.timetz().replace(tzinfo=None), tz)
        if candidate.date() in taken:
            continue
        if blocker_on(candidate.date(), state, closures) is None and within_hours(
            candidate, candidate + duration, hours, tz
        ):
            return candidate
    return None
