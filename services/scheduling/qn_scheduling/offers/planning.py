"""Planning a series against what the database holds: the site's hours, closures and the room's
bookings. Reads only; the handlers write."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import String, cast, select, type_coerce
from sqlalchemy.types import NullType

from qn_infra.errors import Invalid
from qn_infra.unit_of_work import UnitOfWork

from ..bookings import domain as bookings_domain
from ..bookings.models import Booking
from ..sites import domain as sites_domain
from ..sites.domain import SiteSpec
from ..sites.handlers import SchedulingContext
from ..sites.models import Room, Site
from . import calendar_rules, recurrence
from .calendar_rules import OccurrenceStatus, OnHoliday, Planned
from .domain import SeriesPlan, When, collisions


class OutsideOpeningHours(Invalid):
    code = "outside_opening_hours"


class UnknownRoom(Invalid):
    code = "unknown_room"


def site_and_room(uow: UnitOfWork, site_id: str, room_id: str, *, lock: bool = True) -> tuple[Site, Room]:
    """The site and an active room of it; the room row locked, so that two series for one room
    are planned one after the other (PostgreSQL; SQLite lets one writer in at a time anyway).
    A room the site does not have is bad input here (422 naming `room_id`), not a missing page."""
    query = select(Room).where(Room.site_id == site_id, Room.room_id == room_id)
    room = uow.session.scalars(query.with_for_update() if lock else query).one_or_none()
    site = uow.session.get(Site, site_id)
    if site is None:
        raise sites_domain.site_not_found(site_id)
    if room is None or room.retired_at is not None:
        known = ", ".join(r.room_id for r in site.active_rooms)
        raise UnknownRoom(
            f"Raum '{room_id}' gibt es im Standort {site.name} nicht. Räume: {known}.",
            f"Room '{room_id}' does not exist at {site.name}. Rooms: {known}.",
            field="room_id",
        )
    return site, room


def room_slots(
    uow: UnitOfWork, site_id: str, room_id: str, starts: datetime, ends: datetime, *, ignore: Collection[uuid.UUID] = ()
) -> list[bookings_domain.Slot]:
    """Confirmed bookings of the room overlapping [starts, ends), earliest first."""
    rows = uow.session.execute(
        select(Booking.id, Booking.title, Booking.starts_at, Booking.ends_at, Booking.org_id)
        .where(Booking.site_id == site_id, Booking.room_id == room_id, Booking.status == bookings_domain.CONFIRMED)
        .where(Booking.starts_at < ends, Booking.ends_at > starts)
        .order_by(Booking.starts_at)
    ).all()
    return [bookings_domain.Slot(*row) for row in rows if row[0] not in ignore]


def plan_series(
    when: When,
    policy: OnHoliday,
    *,
    site: Site,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    not_before: datetime,
    ignore: Collection[uuid.UUID] = (),
) -> SeriesPlan:
    """The occurrences of `when` from `not_before` on, placed on the site's calendar, and the
    bookings of the room they collide with (leaving out the bookings in `ignore`)."""
    tz = ctx.tz
    starts = recurrence.expand(when.rrule, when.first_start(tz))
    excluded = set(when.exdates)
    starts = [s for s in starts if s >= not_before and s.date() not in excluded]
    if not starts:
        raise recurrence.EmptyRule(
            "Ab jetzt ergibt diese Regel keinen Termin mehr.",
            "From now on this rule yields no occurrence.",
            field="rrule",
        )
    spec = site.spec()
    planned = calendar_rules.place(
        starts,
        when.duration,
        policy=policy,
        state=ctx.city.state,
        closures=spec.closures,
        hours=spec.opening_hours,
        tz=tz,
    )
    for item in planned:
        if item.status is not OccurrenceStatus.SKIPPED:
            check_hours(item, site, ctx, spec=spec)
    plan = SeriesPlan(planned)
    scheduled = [p for p in plan.taking_place if p.status is OccurrenceStatus.SCHEDULED]
    if scheduled:
        slots = slots_overlapping(
            uow, site.id, when.room_id, [(p.starts_at, p.ends_at) for p in scheduled], ignore=ignore
        )
        plan.collisions = collisions(scheduled, slots)
    return plan


RAW = NullType()  # no result processing: the driver's own value


def slots_overlapping(
    uow: UnitOfWork,
    site_id: str,
    room_id: str,
    periods: list[tuple[datetime, datetime]],
    *,
    ignore: Collection[uuid.UUID] = (),
) -> list[bookings_domain.Slot]:
    """Confirmed bookings of the room that overlap any of `periods` (sorted by start), earliest
    first. Reads only start and end of the room's bookings over the series' span, and titles only
    of those that collide: a two-year series meets few of the room's thousands of bookings."""
    # The ids and times as the database holds them: turning thousands of rows into UUIDs and
    # aware datetimes costs more than the sweep itself. SQLite holds UTC as sortable text, so the
    # few periods are put into that text (by the column type's own bind processing) instead of the
    # many bookings into datetimes; PostgreSQL's driver gives aware datetimes, compared as they are.
    # (on the session's connection, as a Core statement: rows, not ORM results, are all the sweep needs)
    bookings = Booking.__table__.c
    connection = uow.session.connection()
    time_type = bookings.starts_at.type.dialect_impl(connection.dialect)
    stored = time_type.bind_processor(connection.dialect) or (lambda moment: moment)
    taken = connection.execute(
        select(cast(bookings.id, String), type_coerce(bookings.starts_at, RAW), type_coerce(bookings.ends_at, RAW))
        .where(bookings.site_id == site_id, bookings.room_id == room_id, bookings.status == bookings_domain.CONFIRMED)
        .where(bookings.starts_at < periods[-1][1], bookings.ends_at > periods[0][0])
        .order_by(bookings.starts_at)
    ).all()
    periods = [(stored(start), stored(end)) for start, end in periods]
    hits, first = [], 0
    for start, end in periods:  # one sorted pass over both lists
        while first < len(taken) and taken[first][2] <= start:
            first += 1
        index = first
        while index < len(taken) and taken[index][1] < end:
            booking_id = uuid.UUID(taken[index][0])
            if booking_id not in ignore:
                hits.append(booking_id)
            index += 1
    if not hits:
        return []
    rows = uow.session.execute(
        select(Booking.id, Booking.title, Booking.starts_at, Booking.ends_at, Booking.org_id).where(
            Booking.id.in_(sorted(set(hits)))
        )
    ).all()
    return sorted((bookings_domain.Slot(*row) for row in rows), key=lambda slot: slot.starts_at)


def check_hours(item: Planned, site: Site, ctx: SchedulingContext, *, spec: SiteSpec | None = None) -> None:
    spec = spec or site.spec()
    if calendar_rules.within_hours(item.starts_at, item.ends_at, spec.opening_hours, ctx.tz):
        return
    start = item.starts_at.astimezone(ctx.tz)
    day = sites_domain.DAY_NAMES
    raise OutsideOpeningHours(
        f"Der Termin am {day['de'][start.weekday()]}, {start:%d.%m.%Y} um {start:%H:%M} liegt außerhalb der "
        f"Öffnungszeiten von {site.name}.",
        f"The occurrence on {day['en'][start.weekday()]}, {start:%Y-%m-%d} at {start:%H:%M} is outside the opening "
        f"hours of {site.name}.",
        field="starts",
        extra={"occurrence_start": start.isoformat()},
    )
