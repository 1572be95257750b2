"""iCalendar feeds (RFC 5545) that calendar programs subscribe to, written with `icalendar`.

One VEVENT per offer carries the series as RRULE with DTSTART in Europe/Berlin (TZID, with the
zone's VTIMEZONE), and EXDATE for the days it leaves out (holidays, closures, collisions). An
occurrence that was cancelled, moved or awaits approval is its own VEVENT with the series' UID
and a RECURRENCE-ID: STATUS:CANCELLED, its new time, or STATUS:TENTATIVE."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event
from icalendar.prop import vRecur

from ..offers.calendar_rules import OccurrenceStatus
from ..offers.models import Occurrence
from .queries import FeedSeries

PRODID = "-//Quartiersnetz//Scheduling//DE"


def calendar(name: str, series: Iterable[FeedSeries], tz: ZoneInfo, *, stamp: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(tz.key))
    for item in series:
        for event in _events(item, tz, stamp):
            cal.add_component(event)
    zone = _vtimezone(tz.key, stamp.year) if cal.subcomponents else None
    if zone is not None:
        cal.subcomponents.insert(0, zone)  # where add_missing_timezones puts a zone: before the events
    cal.add_missing_timezones(first_date=date(stamp.year - 1, 1, 1), last_date=date(stamp.year + 10, 1, 1))
    _one_rdate_per_line(cal, keep=zone)
    return bytes(cal.to_ical())


@lru_cache(maxsize=8)
def _vtimezone(key: str, year: int) -> Component:
    """The city's VTIMEZONE for eleven years around `year`, built once: working out a zone's
    transitions is most of a small feed's cost, and the zone is the same in every feed. Shared,
    so never changed after it is built."""
    cal = Calendar()
    event = Event()
    event.add("dtstart", datetime(year, 1, 1, tzinfo=ZoneInfo(key)))
    cal.add_component(event)
    cal.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 10, 1, 1))
    _one_rdate_per_line(cal)
    (zone,) = cal.walk("VTIMEZONE")
    return zone


def _one_rdate_per_line(cal: Calendar, keep: Component | None = None) -> None:
    """Writes each transition of a VTIMEZONE as its own RDATE line. RFC 5545 allows a list in one
    line, but some readers (vobject, and through it dateutil's tzical) keep only its first date and
    then place every summer occurrence an hour off; one date per line every reader understands."""
    for zone in cal.walk("VTIMEZONE"):
        if zone is keep:
            continue
        for part in zone.subcomponents:
            if "RDATE" not in part:
                continue
            found = part.pop("RDATE")
            lists = found if isinstance(found, list) else [found]
            for moment in [value.dt for each in lists for value in each.dts]:
                part.add("rdate", moment)


def _events(item: FeedSeries, tz: ZoneInfo, stamp: datetime) -> list[Event]:
    offer = item.offer
    uid = f"offer-{offer.id}@quartiersnetz"
    first = datetime.combine(offer.first_day, offer.starts, tz)
    master = _event(uid, offer.title, first, datetime.combine(offer.first_day, offer.ends, tz), item, stamp)
    master.add("rrule", vRecur.from_ical(offer.rrule))
    left_out = [o.recurrence_id.astimezone(tz) for o in offer.occurrences if o.status == OccurrenceStatus.SKIPPED.value]
    if left_out:
        master.add("exdate", left_out)
    events = [master]
    for occurrence in offer.occurrences:
        override = _override(uid, occurrence, item, tz, stamp)
        if override is not None:
            events.append(override)
    return events


def _override(uid: str, occurrence: Occurrence, item: FeedSeries, tz: ZoneInfo, stamp: datetime) -> Event | None:
    status = occurrence.status
    if status == OccurrenceStatus.CANCELLED.value:
        event = _event(
            uid,
            f"Entfällt: {item.offer.title}",
            occurrence.starts_at.astimezone(tz),
            occurrence.ends_at.astimezone(tz),
            item,
            stamp,
        )
        event.add("status", "CANCELLED")
    elif status == OccurrenceStatus.PENDING_APPROVAL.value:
        event = _event(
            uid, item.offer.title, occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz), item, stamp
        )
        event.add("status", "TENTATIVE")
    elif occurrence.moved and status == OccurrenceStatus.SCHEDULED.value:
        event = _event(
            uid, item.offer.title, occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz), item, stamp
        )
    else:
        return None
    event.add("recurrence-id", occurrence.recurrence_id.astimezone(tz))
    return event


def _event(uid: str, summary: str, start: datetime, end: datetime, item: FeedSeries, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    where = ", ".join(part for part in (item.site.name, item.room_name, item.site.address) if part)
    event.add("location", where)
    if item.offer.description:
        event.add("description", item.offer.description)
    return event
