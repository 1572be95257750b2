"""Planning a series against what the database holds: the site's hours, closures and the room's
bookings. Reads only; the handlers write."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, and_, bindparam, column, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

from qn_infra.database import UtcDateTime
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
            uow, site.id, when.room_id, [(p.starts_at, p.ends_at) for p in scheduled], tz, ignore=ignore
        )
        plan.collisions = collisions(scheduled, slots)
    return plan


def slots_overlapping(
    uow: UnitOfWork,
    site_id: str,
    room_id: str,
    periods: list[tuple[datetime, datetime]],
    tz: ZoneInfo,
    *,
    ignore: Collection[uuid.UUID] = (),
) -> list[bookings_domain.Slot]:
    """Confirmed bookings of the room that overlap any of `periods`, earliest first.

    Every booking lies within one opening window of its local day (each way of booking checks
    that), so whatever overlaps a period started on the period's local day. The periods go to the
    database as one JSON parameter (one statement, compiled once), and for each the database
    reads the room's bookings of that day up to the period's end from its index: a two-year
    series meets a few dozen of the room's thousands of bookings, and only those are read."""
    bookings = Booking.__table__.c
    connection = uow.session.connection()
    wanted, params = _wanted(connection.dialect, periods, tz)
    rows = connection.execute(
        select(bookings.id, bookings.title, bookings.starts_at, bookings.ends_at, bookings.org_id)
        .distinct()
        .select_from(wanted)
        .join(
            Booking.__table__,
            and_(
                bookings.site_id == bindparam("site_id"),
                bookings.room_id == bindparam("room_id"),
                bookings.starts_at >= wanted.c.day_starts,
                bookings.starts_at < wanted.c.ends,
                bookings.ends_at > wanted.c.starts,
                bookings.status == bookings_domain.CONFIRMED,
            ),
        ),
        {**params, "site_id": site_id, "room_id": room_id},
    ).all()
    return sorted((bookings_domain.Slot(*row) for row in rows if row.id not in ignore), key=lambda slot: slot.starts_at)


def _wanted(dialect: Dialect, periods: list[tuple[datetime, datetime]], tz: ZoneInfo) -> tuple[Any, dict[str, str]]:
    """The periods as a table (`day_starts`, `starts`, `ends`) made from one JSON parameter.
    SQLite compares the text it stores UTC as (the column type's own bind processing writes the
    periods the same way); PostgreSQL reads them as timestamps with zone."""
    rows = [(datetime.combine(start.astimezone(tz).date(), time.min, tz), start, end) for start, end in periods]
    names = ("day_starts", "starts", "ends")
    if dialect.name == "postgresql":
        table = (
            func.jsonb_to_recordset(bindparam("periods", type_=String).cast(JSONB))
            .table_valued(*(column(name, UtcDateTime()) for name in names))
            .render_derived(name="wanted", with_types=True)
        )
        text = [{name: moment.isoformat() for name, moment in zip(names, row, strict=True)} for row in rows]
        return table, {"periods": json.dumps(text)}
    stored = UtcDateTime().dialect_impl(dialect).bind_processor(dialect) or str
    each = func.json_each(bindparam("periods", type_=String)).table_valued("value").alias("each")
    table = select(
        *(func.json_extract(each.c.value, f"$[{index}]").label(name) for index, name in enumerate(names))
    ).subquery("wanted")
    return table, {"periods": json.dumps([[stored(moment) for moment in row] for row in rows])}


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
