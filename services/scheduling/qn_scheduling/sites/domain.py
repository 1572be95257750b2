"""Rules for sites, rooms and opening hours. No framework, no database: plain data in, decisions out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time

from qn_contracts.vocabulary import RoomKind, Weekday
from qn_infra.errors import Conflict, Invalid, NotFound

from ..city import City

WEEKDAYS: tuple[Weekday, ...] = tuple(Weekday)
"""Monday first, so that `WEEKDAYS[day.weekday()]` is the weekday of a date."""
DAY_NAMES = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


@dataclass(frozen=True)
class RoomSpec:
    room_id: str
    name: str
    kind: RoomKind
    capacity: int


@dataclass(frozen=True)
class Window:
    """An opening window on one weekday, in local time; `closes` is exclusive."""

    weekday: Weekday
    opens: time
    closes: time

    def sort_key(self) -> tuple[int, time]:
        return WEEKDAYS.index(self.weekday), self.opens

    def text(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


DEFAULT_HORIZON_DAYS = 180
DEFAULT_CARRIER_HOURS_PER_MONTH = 40


@dataclass(frozen=True)
class BookingRules:
    """What a site allows carriers who book or request its rooms themselves (staff of the city
    book for anyone, unbounded). The defaults suit a drop-in centre like the Franztreff: half a
    year ahead, and about one counselling day a week per carrier."""

    horizon_days: int = DEFAULT_HORIZON_DAYS
    """How far ahead a carrier may book or request (days from today)."""
    carrier_hours_per_month: int | None = DEFAULT_CARRIER_HOURS_PER_MONTH
    """Hours of room time one carrier may hold at this site in one calendar month; None: no limit."""
    carriers_book_directly: bool = True
    """False: a carrier requests rooms and the coordinator approves; it cannot book them itself."""


@dataclass(frozen=True)
class Closure:
    """Days the site is closed besides public holidays (summer break, works), both included."""

    first_day: date
    last_day: date
    reason: str | None = None


@dataclass(frozen=True)
class SiteSpec:
    """What a site is, as the coordinator describes it (the body of `PUT /sites/{id}`)."""

    site_id: str
    name: str
    quarter_id: str
    carrier_id: str | None
    address: str | None
    rooms: tuple[RoomSpec, ...]
    opening_hours: tuple[Window, ...]
    closures: tuple[Closure, ...] = ()
    rules: BookingRules = BookingRules()

    def normalised(self) -> SiteSpec:
        """The same site with its opening hours in weekday order. Room order is kept: it is the
        order the coordinator wants them listed in."""
        hours = tuple(sorted(self.opening_hours, key=Window.sort_key))
        closures = tuple(sorted(self.closures, key=lambda c: (c.first_day, c.last_day)))
        return SiteSpec(
            self.site_id, self.name, self.quarter_id, self.carrier_id, self.address, self.rooms, hours, closures,
            self.rules,
        )  # fmt: skip


def occupancy_changes(old: SiteSpec, new: SiteSpec) -> bool:
    """Whether the change alters what the rooms' occupancy figures say: the minutes a week is
    open (opening hours, closure days) or the quarter they are counted in. A closure's reason
    alone does not."""
    days = [(c.first_day, c.last_day) for c in old.closures], [(c.first_day, c.last_day) for c in new.closures]
    return old.opening_hours != new.opening_hours or days[0] != days[1] or old.quarter_id != new.quarter_id


class SiteNotFound(NotFound):
    code = "site_not_found"


class RoomNotFound(NotFound):
    code = "room_not_found"


class UnknownQuarter(Invalid):
    code = "unknown_quarter"


class UnknownOrganisation(Invalid):
    code = "unknown_organisation"


class DuplicateRoom(Invalid):
    code = "duplicate_room"


class InvalidOpeningHours(Invalid):
    code = "invalid_opening_hours"


class InvalidClosure(Invalid):
    code = "invalid_closure"


class RoomInUse(Conflict):
    code = "room_in_use"


def check_site(spec: SiteSpec, city: City) -> None:
    """Refuses a site naming an unknown quarter or carrier, a room twice, or muddled hours."""
    if spec.quarter_id not in city.quarters:
        known = ", ".join(sorted(city.quarters))
        raise UnknownQuarter(
            f"Quartier '{spec.quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{spec.quarter_id}'. Known quarters: {known}.",
            field="quarter_id",
        )
    if spec.carrier_id is not None:
        check_known_org(spec.carrier_id, city.organisations, field="carrier_id")
    seen: set[str] = set()
    for index, room in enumerate(spec.rooms):
        if room.room_id in seen:
            raise DuplicateRoom(
                f"Raum '{room.room_id}' ist doppelt angegeben.",
                f"Room '{room.room_id}' is given twice.",
                field=f"rooms.{index}.room_id",
            )
        seen.add(room.room_id)
    check_opening_hours(spec.opening_hours)
    for index, closure in enumerate(spec.closures):
        if closure.last_day < closure.first_day:
            raise InvalidClosure(
                "Der letzte Schließtag liegt vor dem ersten.",
                "The last closed day is before the first.",
                field=f"closures.{index}.last_day",
            )


def check_known_org(org_id: str, known: Iterable[str], *, field: str) -> None:
    names = sorted(known)
    if org_id not in names:
        raise UnknownOrganisation(
            f"Träger oder Stelle '{org_id}' gibt es nicht. Bekannt: {', '.join(names)}.",
            f"Unknown carrier or office '{org_id}'. Known: {', '.join(names)}.",
            field=field,
        )


def check_opening_hours(hours: Sequence[Window]) -> None:
    """Each window closes after it opens, on the same day, and no two windows of a day overlap."""
    for index, window in enumerate(hours):
        for name, value in (("opens", window.opens), ("closes", window.closes)):
            if value.tzinfo is not None or value.second or value.microsecond:
                raise InvalidOpeningHours(
                    "Uhrzeit bitte als Ortszeit in Stunden und Minuten angeben (HH:MM).",
                    "Please give a local time in hours and minutes (HH:MM).",
                    field=f"opening_hours.{index}.{name}",
                )
        if window.closes <= window.opens:
            raise InvalidOpeningHours(
                f"Schließzeit {window.closes:%H:%M} liegt nicht nach der Öffnungszeit {window.opens:%H:%M}.",
                f"Closing time {window.closes:%H:%M} is not after opening time {window.opens:%H:%M}.",
                field=f"opening_hours.{index}.closes",
            )
        for other in hours[:index]:
            if other.weekday == window.weekday and window.opens < other.closes and other.opens < window.closes:
                raise InvalidOpeningHours(
                    f"{window.text()} überschneidet sich mit {other.text()} am selben Tag.",
                    f"{window.text()} overlaps {other.text()} on the same day.",
                    field=f"opening_hours.{index}",
                )


def windows_on(hours: Iterable[Window], weekday: Weekday) -> list[Window]:
    """The opening windows of one weekday, earliest first (empty: closed)."""
    return sorted((w for w in hours if w.weekday == weekday), key=Window.sort_key)


def retired_rooms(current: Iterable[str], wanted: Iterable[str]) -> set[str]:
    """Rooms the site has now that the new description no longer lists."""
    return set(current) - set(wanted)


def rooms_in_use(room_ids: Iterable[str], bookings: Sequence[dict[str, object]]) -> RoomInUse:
    rooms = ", ".join(sorted(room_ids))
    return RoomInUse(
        f"Raum {rooms} kann nicht entfernt werden: {len(bookings)} künftige Buchung(en). Bitte erst stornieren.",
        f"Room {rooms} cannot be removed: {len(bookings)} future booking(s). Please cancel them first.",
        field="rooms",
        extra={"booking_count": len(bookings), "bookings": list(bookings[:20])},
    )


def site_not_found(site_id: str) -> SiteNotFound:
    return SiteNotFound(f"Standort '{site_id}' gibt es nicht.", f"Site '{site_id}' does not exist.", field="site_id")


def room_not_found(site_id: str, room_id: str) -> RoomNotFound:
    return RoomNotFound(
        f"Raum '{room_id}' gibt es im Standort '{site_id}' nicht.",
        f"Room '{room_id}' does not exist at site '{site_id}'.",
        field="room_id",
    )
