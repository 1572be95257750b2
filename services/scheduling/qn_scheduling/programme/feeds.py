"""iCalendar feeds (RFC 5545) that calendar programs subscribe to, written with `icalendar`.

One VEVENT per offer carries the series as RRULE with DTSTART in Europe/Berlin (TZID, with the
zone's VTIMEZONE), and EXDATE for the days it leaves out (holidays, closures, collisions). An
occurrence that was cancelled, moved or awaits approval is its own VEVENT with the series' UID
and a RECURRENCE-ID: STATUS:CANCELLED, its new time, or STATUS:TENTATIVE."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.prop import vRecur

from ..offers.calendar_rules import OccurrenceStatus
from .queries import FeedSeries

PRODID = "-//Quartiersnetz//Scheduling//DE"


def calendar(name: str, series: Iterable[FeedSeries], tz: ZoneInfo, *, stamp: datetime) -> bytes:
    """The feed: the calendar's own lines, the city's VTIMEZONE and each offer's VEVENTs, every
    part written by `icalendar`. The zone and each offer's events are serialised once and reused
    until what they show changes (calendar programs poll a feed every few minutes; it rarely has)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(tz.key))
    events = [_events_ical(_key(item, tz)) for item in series]
    if not events:
        return bytes(cal.to_ical())
    head, end = bytes(cal.to_ical()).rsplit(b"END:VCALENDAR", 1)
    return b"".join([head, _vtimezone_ical(tz.key, stamp.year), *events, b"END:VCALENDAR", end])


@lru_cache(maxsize=8)
def _vtimezone_ical(key: str, year: int) -> bytes:
    """The city's VTIMEZONE for eleven years around `year`, serialised once: working out a
    zone's transitions is most of a small feed's cost, and the zone is the same in every feed."""
    cal = Calendar()
    event = Event()
    event.add("dtstart", datetime(year, 1, 1, tzinfo=ZoneInfo(key)))
    cal.add_component(event)
    cal.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 10, 1, 1))
    _one_rdate_per_line(cal)
    (zone,) = cal.walk("VTIMEZONE")
    return bytes(zone.to_ical())


def _one_rdate_per_line(cal: Calendar) -> None:
    """Writes each transition of a VTIMEZONE as its own RDATE line. RFC 5545 allows a list in one
    line, but some readers (vobject, and through it dateutil's tzical) keep only its first date and
    then place every summer occurrence an hour off; one date per line every reader understands."""
    for zone in cal.walk("VTIMEZONE"):
        for part in zone.subcomponents:
            if "RDATE" not in part:
                continue
            found = part.pop("RDATE")
            lists = found if isinstance(found, list) else [found]
            for moment in [value.dt for each in lists for value in each.dts]:
                part.add("rdate", moment)


@dataclass(frozen=True)
class _Differing:
    """An occurrence that differs from its series' rule, as far as the feed shows it."""

    recurrence_id: datetime
    status: str
    moved: bool
    starts_at: datetime
    ends_at: datetime
    changed_at: datetime | None


@dataclass(frozen=True)
class _Key:
    """Everything an offer's VEVENTs show; equal keys give equal bytes."""

    uid: str
    title: str
    description: str | None
    first: datetime
    first_end: datetime
    rrule: str
    where: str
    revised: datetime
    differing: tuple[_Differing, ...]
    tz: ZoneInfo


def _key(item: FeedSeries, tz: ZoneInfo) -> _Key:
    offer = item.offer
    where = ", ".join(part for part in (item.site.name, item.room_name, item.site.address) if part)
    return _Key(
        uid=f"offer-{offer.id}@quartiersnetz",
        title=offer.title,
        description=offer.description,
        first=datetime.combine(offer.first_day, offer.starts, tz),
        first_end=datetime.combine(offer.first_day, offer.ends, tz),
        rrule=offer.rrule,
        where=where,
        revised=offer.updated_at,
        differing=tuple(
            _Differing(o.recurrence_id, o.status, o.moved, o.starts_at, o.ends_at, o.changed_at) for o in item.differing
        ),
        tz=tz,
    )


@lru_cache(maxsize=4096)
def _events_ical(key: _Key) -> bytes:
    return b"".join(bytes(event.to_ical()) for event in _events(key))


def _events(key: _Key) -> list[Event]:
    """The series as one VEVENT with its RRULE and EXDATEs, and one per occurrence that differs.
    DTSTAMP is when the offer (or the occurrence) was last revised: in a feed without METHOD that
    is what RFC 5545 asks for, and it lets a calendar program see what changed."""
    tz = key.tz
    master = _event(key, key.title, key.first, key.first_end, key.revised)
    master.add("rrule", vRecur.from_ical(key.rrule))
    left_out = [o.recurrence_id.astimezone(tz) for o in key.differing if o.status == OccurrenceStatus.SKIPPED.value]
    if left_out:
        master.add("exdate", left_out)
    events = [master]
    for occurrence in key.differing:
        override = _override(key, occurrence)
        if override is not None:
            events.append(override)
    return events


def _override(key: _Key, occurrence: _Differing) -> Event | None:
    tz, status = key.tz, occurrence.status
    start, end = occurrence.starts_at.astimezone(tz), occurrence.ends_at.astimezone(tz)
    revised = occurrence.changed_at or key.revised
    if status == OccurrenceStatus.CANCELLED.value:
        event = _event(key, f"Entfällt: {key.title}", start, end, revised)
        event.add("status", "CANCELLED")
    elif status == OccurrenceStatus.PENDING_APPROVAL.value:
        event = _event(key, key.title, start, end, revised)
        event.add("status", "TENTATIVE")
    elif occurrence.moved and status == OccurrenceStatus.SCHEDULED.value:
        event = _event(key, key.title, start, end, revised)
    else:
        return None
    event.add("recurrence-id", occurrence.recurrence_id.astimezone(tz))
    return event


def _event(key: _Key, summary: str, start: datetime, end: datetime, revised: datetime) -> Event:
    event = Event()
    event.add("uid", key.uid)
    event.add("dtstamp", revised)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("location", key.where)
    if key.description:
        event.add("description", key.description)
    return event
