"""The drop-in centre's week as a grid, and the series form's recurrence rule: plain functions,
no framework, so that the week's layout and the rule a coordinator's ticks make are tested alone.

Scheduling answers in the city's local time (with the offset); the grid keeps that local day and
clock time, so 11:00 stays 11:00 across the clock change, as in scheduling itself."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def week_of(day: date) -> str:
    """ISO 8601 week of a day, as the programme names it: 2027-W10."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(week: str | None, today: date) -> date:
    """The Monday of `2027-W10`; of today's week when the text is missing or no such week."""
    found = WEEK_PATTERN.match(week or "")
    if found:
        try:
            return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
        except ValueError:
            pass
    return today - timedelta(days=today.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=n) for n in range(7)]


@dataclass(frozen=True)
class Entry:
    """One thing in a room on a day: an occurrence of an offer, or a single booking."""

    starts_at: datetime
    ends_at: datetime
    title: str
    room_id: str
    status: str
    """scheduled, pending_approval, skipped, cancelled (occurrences); confirmed, cancelled (bookings)."""
    offer_id: str | None = None
    occurrence_id: str | None = None
    attendance: int | None = None
    label: str | None = None
    moved: bool = False

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def times(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def takes_place(self) -> bool:
        return self.status in ("scheduled", "confirmed")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def entries_of(
    offers: list[dict[str, Any]], occurrences: list[list[dict[str, Any]]], bookings: list[dict[str, Any]]
) -> list[Entry]:
    """Occurrences of each offer (`occurrences[i]` belongs to `offers[i]`) and the bookings that
    are no occurrence's (an occurrence's own booking would show twice)."""
    entries: list[Entry] = []
    booked_by_offers: set[str] = set()
    for offer, rows in zip(offers, occurrences, strict=True):
        for o in rows:
            if o.get("booking_id"):
                booked_by_offers.add(str(o["booking_id"]))
            entries.append(
                Entry(
                    starts_at=_at(o["starts_at"]),
                    ends_at=_at(o["ends_at"]),
                    title=str(offer.get("title", "")),
                    room_id=str(o["room_id"]),
                    status=str(o["status"]),
                    offer_id=str(offer["id"]),
                    occurrence_id=str(o["id"]),
                    attendance=o.get("attendance"),
                    label=o.get("label"),
                    moved=bool(o.get("moved")),
                )
            )
    for b in bookings:
        if str(b["id"]) in booked_by_offers:
            continue
        entries.append(
            Entry(
                starts_at=_at(b["starts_at"]),
                ends_at=_at(b["ends_at"]),
                title=str(b.get("title", "")),
                room_id=str(b["room_id"]),
                status=str(b.get("status", "confirmed")),
            )
        )
    return sorted(entries, key=lambda e: (e.starts_at, e.title))


@dataclass
class GridRow:
    room_id: str
    room_name: str
    cells: list[list[Entry]] = field(default_factory=list)
    """One list per day of the week, Monday first, each in time order."""


def week_grid(rooms: list[dict[str, Any]], days: list[date], entries: list[Entry]) -> list[GridRow]:
    """A row per room (in the site's order), a cell per day; entries of a room the site no longer
    lists get a row of their own, so that nothing booked disappears from the week."""
    rows = {str(r["room_id"]): GridRow(str(r["room_id"]), str(r.get("name", r["room_id"]))) for r in rooms}
    for entry in entries:
        if entry.room_id not in rows:
            rows[entry.room_id] = GridRow(entry.room_id, entry.room_id)
    for row in rows.values():
        row.cells = [[e for e in entries if e.room_id == row.room_id and e.day == day] for day in days]
    return list(rows.values())


def series_rule(weekdays: list[str], interval: int, until: date) -> str:
    """The RFC 5545 rule of "every `interval`-th week on these days until that day (included)"."""
    days = [d for d in WEEKDAYS if d in {w.upper() for w in weekdays}]
    parts = ["FREQ=WEEKLY"]
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    parts.append("BYDAY=" + ",".join(days))
    parts.append(f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)
