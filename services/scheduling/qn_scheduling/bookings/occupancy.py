"""Occupancy per room and week (minutes booked / minutes open), as events reporting can aggregate.

Whatever books or frees a room marks its week with `touch`; `commit` then announces the fresh
figures of every marked week in the same transaction (`room.occupancy_changed`; the last one per
room and week counts). A unit of work that touched a week but commits without announcing it is
refused, so that no path can forget the event."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from qn_contracts.scheduling import RoomOccupancyChanged
from qn_infra.unit_of_work import UnitOfWork

from ..offers.calendar_rules import blocker_on
from ..sites.domain import WEEKDAYS, Closure, Window, windows_on
from ..sites.models import Site
from . import domain
from .models import Booking

if TYPE_CHECKING:  # sites' handlers announce occupancy too, when a site's hours change
    from ..sites.handlers import SchedulingContext

_PENDING = "qn_scheduling_occupancy"
Key = tuple[str, str, date]  # site, room, local Monday


def monday_of(moment: datetime, tz: ZoneInfo) -> date:
    day = moment.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def minutes_open(monday: date, hours: Sequence[Window], state: str | None, closures: Sequence[Closure]) -> int:
    """Minutes the site is open in the week from `monday`: its opening windows, less public
    holidays and closure days. Wall-clock minutes: the clock change does not shorten a window."""
    total = 0
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if blocker_on(day, state, closures) is not None:
            continue
        for window in windows_on(hours, WEEKDAYS[offset]):
            total += (window.closes.hour * 60 + window.closes.minute) - (window.opens.hour * 60 + window.opens.minute)
    return total


def minutes_booked(periods: Iterable[tuple[datetime, datetime]], starts: datetime, ends: datetime) -> int:
    """Minutes of [starts, ends) covered by the periods, overlaps counted once (one sorted pass)."""
    total, reach = timedelta(0), starts
    for start, end in sorted((max(s, starts), min(e, ends)) for s, e in periods):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return int(total.total_seconds() // 60)


def touch(uow: UnitOfWork, booking: Booking, tz: ZoneInfo) -> None:
    """Marks the week of the booking's room for a fresh occupancy figure at commit."""
    _mark(uow, (booking.site_id, booking.room_id, monday_of(booking.starts_at, tz)))


def _mark(uow: UnitOfWork, key: Key) -> None:
    pending = uow.session.info.get(_PENDING)
    if pending is None:
        pending = uow.session.info[_PENDING] = set()
        event.listen(uow.session, "before_commit", _refuse_unannounced)
    pending.add(key)


def touch_booked_weeks(uow: UnitOfWork, site_id: str, *, since: datetime, tz: ZoneInfo) -> None:
    """Marks every week from `since` in which a room of the site holds a booking: its minutes
    open changed (new opening hours or closures), so its figure is announced afresh at commit.
    Weeks already past keep the figure they were reported with."""
    week_start = datetime.combine(monday_of(since, tz), time.min, tz)
    rows = uow.session.execute(
        select(Booking.site_id, Booking.room_id, Booking.starts_at).where(
            Booking.site_id == site_id, Booking.status == domain.CONFIRMED, Booking.ends_at > week_start
        )
    ).all()
    for site, room, starts_at in rows:
        _mark(uow, (site, room, monday_of(starts_at, tz)))


def _refuse_unannounced(session: Session) -> None:
    if session.info.get(_PENDING):
        raise RuntimeError("a booking changed without its room's occupancy being announced")


def commit(uow: UnitOfWork, ctx: SchedulingContext) -> None:
    """Announces the occupancy of every touched room and week, then commits."""
    pending: set[Key] = uow.session.info.pop(_PENDING, set())
    uow.session.flush()
    weeks_of: dict[tuple[str, str], list[date]] = defaultdict(list)
    for site_id, room_id, monday in sorted(pending):
        weeks_of[(site_id, room_id)].append(monday)
    for (site_id, room_id), mondays in weeks_of.items():
        site = uow.session.get(Site, site_id)
        if site is not None:
            for changed in occupancy_of(uow, site, room_id, mondays, ctx):
                uow.emit(changed)
    uow.commit()


def occupancy_of(
    uow: UnitOfWork, site: Site, room_id: str, mondays: Sequence[date], ctx: SchedulingContext
) -> list[RoomOccupancyChanged]:
    """The figures of one room for the given weeks, read with one query (a two-year series
    touches a hundred weeks at once)."""
    tz = ctx.tz
    spec = site.spec()
    first = datetime.combine(min(mondays), time.min, tz)
    last = datetime.combine(max(mondays) + timedelta(days=7), time.min, tz)
    rows = uow.session.execute(
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.site_id == site.id,
            Booking.room_id == room_id,
            Booking.status == domain.CONFIRMED,
            Booking.starts_at < last,
            Booking.ends_at > first,
        )
    ).all()
    by_week: dict[date, list[tuple[datetime, datetime]]] = defaultdict(list)
    for row in rows:
        # a booking ends on the day it starts, so it lies in the week of its start (or a night across Sunday)
        for moment in (row.starts_at, row.ends_at):
            by_week[monday_of(moment, tz)].append((row.starts_at, row.ends_at))
    changed = []
    for monday in mondays:
        starts = datetime.combine(monday, time.min, tz)
        ends = datetime.combine(monday + timedelta(days=7), time.min, tz)
        year, week, _ = monday.isocalendar()
        changed.append(
            RoomOccupancyChanged(
                site_id=site.id,
                room_id=room_id,
                quarter_id=site.quarter_id,
                week=f"{year}-W{week:02d}",
                week_start=monday,
                minutes_booked=minutes_booked(set(by_week.get(monday, ())), starts, ends),
                minutes_open=minutes_open(monday, spec.opening_hours, ctx.city.state, spec.closures),
            )
        )
    return changed
