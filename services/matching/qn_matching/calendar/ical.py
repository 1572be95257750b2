"""The volunteer's tasks as an iCalendar document (RFC 5545), written with `icalendar`. An agreed
appointment is a timed event; a task with only a "needed by" day is an all-day event on that
day; a task with neither has no place in a calendar. Nothing names the person or their address."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from ..city import City
from ..help_kinds import kind_label
from .handlers import FeedTask

PRODID = "-//Quartiersnetz//Matching//DE"
DEFAULT_LENGTH = timedelta(hours=1)


def calendar(tasks: Iterable[FeedTask], city: City, *, stamp: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Nachbarschaftshilfe – meine Einsätze")
    cal.add("x-wr-timezone", str(city.timezone.key))
    for task in tasks:
        event = _event(task, city, stamp)
        if event is not None:
            cal.add_component(event)
    return bytes(cal.to_ical())


def _event(task: FeedTask, city: City, stamp: datetime) -> Event | None:
    de_kind, en_kind = kind_label(task.help_kind)
    quarter = city.quarter_name(task.quarter_id)
    event = Event()
    event.add("uid", f"match-{task.match_id}@quartiersnetz")
    event.add("dtstamp", stamp)
    event.add("summary", f"Nachbarschaftshilfe: {de_kind} ({quarter})")
    event.add("location", quarter)
    event.add(
        "description",
        f"{de_kind} in {quarter}. Name, Adresse und Telefon stehen nach der Zusage in der App.\n"
        f"{en_kind} in {quarter}. Name, address and phone are in the app once you accepted.",
    )
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    if task.starts_at is not None:
        # in UTC: every reader understands it without a VTIMEZONE; calendars show local time
        event.add("dtstart", task.starts_at.astimezone(UTC))
        event.add("dtend", (task.ends_at or task.starts_at + DEFAULT_LENGTH).astimezone(UTC))
    elif task.wanted_by is not None:
        event.add("dtstart", task.wanted_by)
        event.add("dtend", task.wanted_by + timedelta(days=1))
        event["summary"] = f"Nachbarschaftshilfe (bis heute): {de_kind} ({quarter})"
    else:
        return None
    return event
