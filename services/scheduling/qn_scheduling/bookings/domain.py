"""Rules for booking a room. No framework, no database: plain data in, decisions out.

Periods are half-open, [starts_at, ends_at): a booking until 11:00 and one from 11:00 do not collide.
Opening hours are local (the city's time zone); timestamps carry their own offset."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from qn_infra.errors import Conflict, Forbidden, Invalid, NotFound

from ..sites.domain import DAY_NAMES, WEEKDAYS, Window, windows_on

CONFIRMED = "confirmed"
CANCELLED = "cancelled"


class CancelReason(StrEnum):
    """Why a booking is called off; anything else is `other`, with a note."""

    ILLNESS = "illness"
    NOT_NEEDED = "not_needed"
    RESCHEDULED = "rescheduled"
    ROOM_UNAVAILABLE = "room_unavailable"
    SITE_CLOSED = "site_closed"
    BOOKED_IN_ERROR = "booked_in_error"
    OTHER = "other"


@dataclass(frozen=True)
class BookRoom:
    site_id: str
    room_id: str
    starts_at: datetime
    ends_at: datetime
    title: str
    org_id: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class Slot:
    """An existing booking as the overlap rule sees it."""

    booking_id: uuid.UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    org_id: str | None = None


class InvalidPeriod(Invalid):
    code = "invalid_period"


class InPast(Invalid):
    code = "in_the_past"


class OutsideOpeningHours(Invalid):
    code = "outside_opening_hours"


class BookingConflict(Conflict):
    code = "booking_conflict"


class BookingNotFound(NotFound):
    code = "booking_not_found"


class AlreadyCancelled(Conflict):
    code = "booking_already_cancelled"


class NotYourOrganisation(Forbidden):
    code = "not_your_organisation"


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """True if the half-open periods [a_start, a_end) and [b_start, b_end) share a moment."""
    return a_start < b_end and b_start < a_end


def check_period(starts_at: datetime, ends_at: datetime, tz: tzinfo = UTC) -> None:
    """A booking has timestamps with offsets, which the calendar holds in UTC and in the city's
    time zone `tz`, and ends after it starts."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidPeriod(
                "Zeitpunkt mit Zeitzone erwartet.", "A timestamp with a time zone is expected.", field=name
            )
        on_the_calendar(value, tz, field=name)
    if ends_at <= starts_at:
        raise InvalidPeriod(
            "Das Ende muss nach dem Beginn liegen.", "The end must be after the start.", field="ends_at"
        )


def check_not_past(starts_at: datetime, now: datetime) -> None:
    """No booking starts before now: the calendar plans, it does not record what happened."""
    if starts_at < now:
        raise InPast(
            "Buchungen in der Vergangenheit sind nicht möglich.",
            "Bookings in the past are not possible.",
            field="starts_at",
        )


def _day(day: date, lang: str) -> str:
    name = DAY_NAMES[lang][day.weekday()]
    return f"{name}, {day:%d.%m.%Y}" if lang == "de" else f"{name}, {day:%Y-%m-%d}"


def _hours(windows: Sequence[Window], lang: str) -> str:
    return ", ".join(w.text() for w in windows) or ("geschlossen" if lang == "de" else "closed")


def check_opening_hours(
    starts_at: datetime, ends_at: datetime, hours: Iterable[Window], tz: ZoneInfo, *, site_name: str
) -> None:
    """The booking lies within one opening window of its local day."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    day = start.date()
    windows = windows_on(hours, WEEKDAYS[day.weekday()])
    extra = {
        "opening_hours": [
            {"weekday": w.weekday.value, "opens": f"{w.opens:%H:%M}", "closes": f"{w.closes:%H:%M}"} for w in windows
        ]
    }

    def refuse(field: str, de: str, en: str) -> OutsideOpeningHours:
        return OutsideOpeningHours(
            f"{de} Öffnungszeiten {site_name} am {_day(day, 'de')}: {_hours(windows, 'de')}.",
            f"{en} Opening hours of {site_name} on {_day(day, 'en')}: {_hours(windows, 'en')}.",
            field=field,
            extra=extra,
        )

    if not windows:
        raise refuse("starts_at", f"{site_name} ist an diesem Tag geschlossen.", f"{site_name} is closed that day.")
    window = next((w for w in windows if w.opens <= start.time() < w.closes), None)
    if window is None:
        raise refuse(
            "starts_at",
            f"Der Beginn {start:%H:%M} liegt außerhalb der Öffnungszeiten.",
            f"The start {start:%H:%M} is outside the opening hours.",
        )
    if end.date() != day:
        raise refuse(
            "ends_at",
            "Eine Buchung muss am Tag ihres Beginns enden.",
            "A booking must end on the day it starts.",
        )
    if end.time() > window.closes:
        raise refuse(
            "ends_at",
            f"Das Ende {end:%H:%M} liegt nach dem Schließen um {window.closes:%H:%M}.",
            f"The end {end:%H:%M} is after closing at {window.closes:%H:%M}.",
        )


def first_conflict(starts_at: datetime, ends_at: datetime, existing: Iterable[Slot]) -> Slot | None:
    """The earliest existing booking the period collides with, if any."""
    hits = [slot for slot in existing if overlaps(starts_at, ends_at, slot.starts_at, slot.ends_at)]
    return min(hits, key=lambda slot: slot.starts_at, default=None)


def conflict(slot: Slot, room_name: str, tz: ZoneInfo, *, named: bool = True) -> BookingConflict:
    """The room is taken. Unless `named`, the answer says when, not by whom: a carrier does not
    learn another organisation's bookings this way either."""
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    when_de = f"am {start:%d.%m.%Y} von {start:%H:%M} bis {end:%H:%M}"
    when_en = f"on {start:%Y-%m-%d} from {start:%H:%M} to {end:%H:%M}"
    if not named:
        return BookingConflict(
            f"{room_name} ist {when_de} belegt.",
            f"{room_name} is taken {when_en}.",
            extra={"conflicting_booking": {"starts_at": start.isoformat(), "ends_at": end.isoformat()}},
        )
    return BookingConflict(
        f"{room_name} ist {when_de} belegt: „{slot.title}“.",
        f"{room_name} is taken {when_en}: “{slot.title}”.",
        extra={"conflicting_booking": slot_body(slot, tz)},
    )


def slot_body(slot: Slot, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": str(slot.booking_id),
        "title": slot.title,
        "starts_at": slot.starts_at.astimezone(tz).isoformat(),
        "ends_at": slot.ends_at.astimezone(tz).isoformat(),
    }


def not_your_organisation(own_org: str | None) -> NotYourOrganisation:
    return NotYourOrganisation(
        f"Als Träger nur für die eigene Organisation ({own_org or 'keine im Token'}) möglich.",
        f"As a carrier, only possible for your own organisation ({own_org or 'none in the token'}).",
        field="org_id",
    )


def check_cancellable(status: str) -> None:
    if status != CONFIRMED:
        raise AlreadyCancelled("Die Buchung ist bereits storniert.", "The booking is already cancelled.")


def booking_not_found(booking_id: uuid.UUID) -> BookingNotFound:
    return BookingNotFound(
        f"Buchung {booking_id} gibt es nicht.", f"Booking {booking_id} does not exist.", field="booking_id"
    )


DEFAULT_DAYS, MAX_DAYS = 7, 366
"""A listing shows a week unless asked otherwise, and never more than a year at once."""


def listing_period(starts: str | None, ends: str | None, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The period a booking listing covers: from today for a week, unless `from`/`to` say otherwise."""
    start = range_bound(starts, tz, field="from") or midnight(now.astimezone(tz).date(), tz)
    try:
        end = range_bound(ends, tz, field="to") or start + timedelta(days=DEFAULT_DAYS)
    except OverflowError:
        raise InvalidPeriod("'from' liegt zu spät.", "'from' is too late.", field="from") from None
    on_the_calendar(end, tz, field="to" if ends else "from")
    check_range(start, end, max_days=MAX_DAYS)
    return start, end


def on_the_calendar(moment: datetime, tz: tzinfo, *, field: str) -> datetime:
    """Refuses a moment that has no place in UTC or in the city's time (1 January of year 1
    east of Greenwich, 31 December 9999 west of it): it could not be stored or shown."""
    try:
        moment.astimezone(UTC)
        moment.astimezone(tz)
    except OverflowError:
        raise InvalidPeriod(
            "Dieser Zeitpunkt liegt außerhalb des Kalenders.", "This moment is outside the calendar.", field=field
        ) from None
    return moment


def check_range(starts: datetime, ends: datetime, *, max_days: int) -> None:
    """A listing asks for a forward range of at most `max_days`."""
    if ends <= starts:
        raise InvalidPeriod("'to' muss nach 'from' liegen.", "'to' must be after 'from'.", field="to")
    if ends - starts > timedelta(days=max_days):
        raise InvalidPeriod(f"Höchstens {max_days} Tage auf einmal.", f"At most {max_days} days at a time.", field="to")


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz)


def range_bound(text: str | None, tz: ZoneInfo, *, field: str) -> datetime | None:
    """A bound of a listing: a timestamp with offset, or a date standing for its local day (from
    its start for `from`, to its end for `to`, so that `from=Mon&to=Sun` covers the whole week)."""
    if text is None:
        return None
    value = text.strip()
    if "T" in value:
        value = value.replace(" ", "+")  # an unencoded '+' in a query string arrives as a space
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment: datetime | None = midnight(day + timedelta(days=1) if field == "to" else day, tz)
        else:
            moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):  # 9999-12-31 as `to` is past the last representable day
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidPeriod(
            "Datum (JJJJ-MM-TT) oder Zeitpunkt mit Zeitzone erwartet.",
            "A date (YYYY-MM-DD) or a timestamp with time zone is expected.",
            field=field,
        )
    return on_the_calendar(moment, tz, field=field)
