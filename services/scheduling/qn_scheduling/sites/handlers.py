"""Use cases for sites: one verb per function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from qn_contracts.scheduling import Closure as ClosureData
from qn_contracts.scheduling import OpeningHours as OpeningHoursData
from qn_contracts.scheduling import Room as RoomData
from qn_contracts.scheduling import SiteUpdated
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from ..bookings import occupancy
from ..bookings.domain import CONFIRMED
from ..bookings.models import Booking
from ..city import City
from . import domain
from .models import OpeningHours, Room, Site, SiteClosure

log = get_logger(__name__)


@dataclass(frozen=True)
class SchedulingContext:
    """What the use cases need besides a unit of work: the city configuration."""

    city: City

    @property
    def tz(self) -> ZoneInfo:
        return self.city.timezone


def put_site(spec: domain.SiteSpec, *, uow: UnitOfWork, ctx: SchedulingContext, now: datetime) -> tuple[Site, bool]:
    """Creates or replaces a site; returns it and whether it was created. Emits `SiteUpdated`
    only when the site actually changed. A room with bookings after `now` cannot be removed."""
    domain.check_site(spec, ctx.city)
    try:
        return _put_site(spec.normalised(), uow=uow, ctx=ctx, now=now)
    except IntegrityError:
        # another request created the same site at the same moment: this one now replaces it
        return _put_site(spec.normalised(), uow=uow, ctx=ctx, now=now)


def _put_site(spec: domain.SiteSpec, *, uow: UnitOfWork, ctx: SchedulingContext, now: datetime) -> tuple[Site, bool]:
    with uow:
        # the row lock serialises concurrent PUTs of one site (a no-op on SQLite, which
        # serialises writers anyway)
        site = uow.session.get(Site, spec.site_id, with_for_update=True)
        created = site is None
        if site is None:
            site = Site(id=spec.site_id, created_at=now, rooms=[], opening_hours=[])
            uow.session.add(site)
        elif site.spec() == spec:
            uow.session.expunge_all()
            return site, False
        occupancy_changed = not created and domain.occupancy_changes(site.spec(), spec)
        _check_retired_rooms_are_free(site, spec, uow=uow, ctx=ctx, now=now)
        _apply(site, spec, now)
        uow.emit(_site_updated(spec))
        if occupancy_changed:
            occupancy.touch_booked_weeks(uow, site.id, since=now, tz=ctx.tz)
        occupancy.commit(uow, ctx)
        log.info("site_updated", site_id=spec.site_id, created=created, rooms=len(spec.rooms))
        uow.session.expunge_all()  # hand back detached objects; closing must not expire them
        return site, created


def _check_retired_rooms_are_free(
    site: Site, spec: domain.SiteSpec, *, uow: UnitOfWork, ctx: SchedulingContext, now: datetime
) -> None:
    retiring = domain.retired_rooms((r.room_id for r in site.active_rooms), (r.room_id for r in spec.rooms))
    if not retiring:
        return
    # lock the rooms, so that no booking slips into a room while it is being removed
    uow.session.execute(select(Room).where(Room.site_id == site.id, Room.room_id.in_(retiring)).with_for_update()).all()
    busy = uow.session.scalars(
        select(Booking)
        .where(Booking.site_id == site.id, Booking.room_id.in_(retiring))
        .where(Booking.status == CONFIRMED, Booking.ends_at > now)
        .order_by(Booking.starts_at)
    ).all()
    if busy:
        bookings = [
            {
                "id": str(b.id),
                "room_id": b.room_id,
                "title": b.title,
                "starts_at": b.starts_at.astimezone(ctx.tz).isoformat(),
                "ends_at": b.ends_at.astimezone(ctx.tz).isoformat(),
            }
            for b in busy
        ]
        raise domain.rooms_in_use({b.room_id for b in busy}, bookings)


def _apply(site: Site, spec: domain.SiteSpec, now: datetime) -> None:
    site.name, site.quarter_id, site.carrier_id, site.address = (
        spec.name,
        spec.quarter_id,
        spec.carrier_id,
        spec.address,
    )
    site.updated_at = now
    existing = {room.room_id: room for room in site.rooms}
    wanted = set()
    for position, room_spec in enumerate(spec.rooms):
        room = existing.get(room_spec.room_id)
        if room is None:
            room = Room(site_id=site.id, room_id=room_spec.room_id)
            site.rooms.append(room)
        room.name, room.kind, room.capacity = room_spec.name, room_spec.kind.value, room_spec.capacity
        room.position, room.retired_at = position, None
        wanted.add(room_spec.room_id)
    for room in site.rooms:
        if room.room_id not in wanted and room.retired_at is None:
            room.retired_at = now
    site.opening_hours = [
        OpeningHours(weekday=w.weekday.value, opens=w.opens, closes=w.closes) for w in spec.opening_hours
    ]
    site.closures = [SiteClosure(first_day=c.first_day, last_day=c.last_day, reason=c.reason) for c in spec.closures]
    site.booking_horizon_days = spec.rules.horizon_days
    site.carrier_hours_per_month = spec.rules.carrier_hours_per_month
    site.carriers_book_directly = spec.rules.carriers_book_directly


def _site_updated(spec: domain.SiteSpec) -> SiteUpdated:
    return SiteUpdated(
        site_id=spec.site_id,
        name=spec.name,
        quarter_id=spec.quarter_id,
        carrier_id=spec.carrier_id,
        address=spec.address,
        rooms=[RoomData(room_id=r.room_id, name=r.name, kind=r.kind, capacity=r.capacity) for r in spec.rooms],
        opening_hours=[OpeningHoursData(weekday=w.weekday, opens=w.opens, closes=w.closes) for w in spec.opening_hours],
        closures=[ClosureData(first_day=c.first_day, last_day=c.last_day, reason=c.reason) for c in spec.closures],
    )


def list_sites(*, uow: UnitOfWork, quarter_id: str | None = None) -> list[Site]:
    """All sites, or those of one quarter, by name."""
    with uow:
        query = select(Site).order_by(Site.name, Site.id)
        if quarter_id is not None:
            query = query.where(Site.quarter_id == quarter_id)
        sites = list(uow.session.scalars(query).all())
        uow.session.expunge_all()
        return sites


def get_site(site_id: str, *, uow: UnitOfWork) -> Site:
    """One site with its rooms and opening hours."""
    with uow:
        site = uow.session.get(Site, site_id)
        if site is None:
            raise domain.site_not_found(site_id)
        uow.session.expunge_all()
        return site
