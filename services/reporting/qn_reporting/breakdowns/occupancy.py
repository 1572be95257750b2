"""The occupancy of the drop-in centres' rooms: per ISO week and room, the hours booked against
the hours open, as scheduling last announced them (`room.occupancy_changed`), with each site's
week over all its rooms and each room's whole year.

Rooms and hours are no statement about people (bookings carry no resident), so these values are
shown as they are, without suppression; the figure says so."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qn_contracts.scheduling import RoomOccupancyChanged

from ..tables.schemas import Protection
from . import store
from .schemas import ColumnOut, FigureOut, FigureRowOut, Freshness

ALL_ROOMS = "*"
LABELS = {
    "de": ("Raumauslastung der Angebotstreffs je Woche und Raum", "Raum"),
    "en": ("Room occupancy of the drop-in centres per week and room", "Room"),
}
COLUMNS = {
    "de": ("Gebuchte Stunden", "Geöffnete Stunden", "Auslastung"),
    "en": ("Hours booked", "Hours open", "Occupancy"),
}
NOTE = {
    "de": "Raumzeiten sind keine Angaben über Personen: Sie werden ohne Geheimhaltung gezeigt. "
    "Es zählt, was die Terminplanung zuletzt für die Woche gemeldet hat.",
    "en": "Room hours say nothing about people: they are shown without suppression. "
    "What scheduling last reported for the week counts.",
}
METHOD = "none_room_hours"


@dataclass(frozen=True)
class Hours:
    booked: int
    open: int
    """Minutes."""

    def __add__(self, other: Hours) -> Hours:
        return Hours(self.booked + other.booked, self.open + other.open)

    def values(self) -> dict[str, int | float | None]:
        share = None if self.open == 0 else round(self.booked / self.open, 3)
        return {"booked_hours": round(self.booked / 60, 1), "open_hours": round(self.open / 60, 1), "share": share}


def room_weeks(session: Session, year: int) -> dict[tuple[str, str, str], Hours]:
    """(week, site, room) -> minutes booked and open, for the ISO weeks of `year`."""
    table = store.ROOM_WEEKS
    rows = session.execute(
        select(table.c.week, table.c.site_id, table.c.room_id, table.c.minutes_booked, table.c.minutes_open).where(
            table.c.week.like(f"{year}-W%")
        )
    )
    return {(week, site, room): Hours(booked, opened) for week, site, room, booked, opened in rows}


def rows_of(weeks: dict[tuple[str, str, str], Hours], year: int) -> list[tuple[str, str, str, Hours]]:
    """(period, site, room, hours): each room's week, each site's week over its rooms (room
    '*'), and each room's and site's year (period = the year), in that order per site."""
    totals: dict[tuple[str, str, str], Hours] = defaultdict(lambda: Hours(0, 0))
    for (week, site, room), hours in weeks.items():
        for key in ((week, site, ALL_ROOMS), (str(year), site, room), (str(year), site, ALL_ROOMS)):
            totals[key] = totals[key] + hours
    every = {**weeks, **totals}
    return [(period, site, room, every[(period, site, room)]) for period, site, room in sorted(every, key=_order)]


def _order(key: tuple[str, str, str]) -> tuple[str, bool, str, str]:
    period, site, room = key
    return site, len(period) > 4, period, "" if room == ALL_ROOMS else room  # per site: the year first


def figure(session: Session, year: int, lang: str) -> FigureOut:
    """The published occupancy figure of one (ISO week-)year; a room's row is labelled with its
    centre's and its own public name ("Franztreff: Küche"), a centre's week with the centre's."""
    sites, rooms = store.site_names(session), store.room_names(session)

    def label(site: str, room: str) -> str:
        name = sites.get(site, site)
        return name if room == ALL_ROOMS else f"{name}: {rooms.get((site, room), room)}"

    latest, events = store.freshness(session, [RoomOccupancyChanged.spec.type])
    title, room_label = LABELS[lang]
    booked, opened, share = COLUMNS[lang]
    return FigureOut(
        figure="occupancy",
        label=title,
        year=year,
        columns=[
            ColumnOut(name="booked_hours", label=booked, kind="magnitude"),
            ColumnOut(name="open_hours", label=opened, kind="magnitude"),
            ColumnOut(name="share", label=share, kind="share"),
        ],
        detail_label=room_label,
        freshness=Freshness(latest_event_time=latest, events=events, event_types=[RoomOccupancyChanged.spec.type]),
        protection=Protection(method=METHOD, minimum=0, hidden_cells_in_year=0, note=NOTE[lang]),
        rows=[
            FigureRowOut(
                period=period,
                place=site,
                place_label=label(site, room),
                topic="*",
                detail=room,
                values=hours.values(),
            )
            for period, site, room, hours in rows_of(room_weeks(session, year), year)
        ],
        flagged=[],
    )
