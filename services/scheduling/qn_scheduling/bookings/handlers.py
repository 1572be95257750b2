"""Use cases for bookings: one verb per function."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import select

from qn_contracts.scheduling import BookingCancelled, BookingConfirmed
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..offers.reconfirmation import grant_waiting
from ..room_requests.queries import periods_held
from ..sites import domain as sites_domain
from ..sites.handlers import SchedulingContext
from ..sites.models import Room, Site
from . import domain, occupancy, rules
from .models import Booking

log = get_logger(__name__)


def book_room(
    cmd: domain.BookRoom,
    *,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> Booking:
    """Books a room if the period lies within the site's opening hours and the room is free; for
    the requested organisation, by default the caller's (a carrier: only its own)."""
    domain.check_period(cmd.starts_at, cmd.ends_at, ctx.tz)
    domain.check_not_past(cmd.starts_at, now)
    org_id = access.booking_org(cmd.org_id, principal)
    if org_id is not None:
        sites_domain.check_known_org(org_id, ctx.city.bookers, field="org_id")
    with uow:
        # Lock the room row for the rest of the transaction: a second request for the same room
        # waits here until this one has committed, and then sees its booking (PostgreSQL).
        # SQLite ignores FOR UPDATE; its BEGIN IMMEDIATE already lets one writer in at a time.
        room = uow.session.scalars(
            select(Room).where(Room.site_id == cmd.site_id, Room.room_id == cmd.room_id).with_for_update()
        ).one_or_none()
        site = uow.session.get(Site, cmd.site_id)
        if site is None:
            raise sites_domain.site_not_found(cmd.site_id)
        if room is None or room.retired_at is not None:
            raise sites_domain.room_not_found(cmd.site_id, cmd.room_id)
        domain.check_opening_hours(cmd.starts_at, cmd.ends_at, site.windows(), ctx.tz, site_name=site.name)
        if access.own_org_only(principal):
            check_carrier_rules(uow, site, org_id, [(cmd.starts_at, cmd.ends_at)], ctx=ctx, now=now, direct=True)
        slot = domain.first_conflict(cmd.starts_at, cmd.ends_at, _slots_around(uow, cmd, ctx))
        if slot is not None:
            raise domain.conflict(slot, room.name, ctx.tz, named=access.may_see(principal, slot.org_id))
        booking = Booking(
            id=uuid.uuid4(),
            site_id=cmd.site_id,
            room_id=cmd.room_id,
            starts_at=cmd.starts_at,
            ends_at=cmd.ends_at,
            title=cmd.title,
            org_id=org_id,
            purpose=cmd.purpose,
            status=domain.CONFIRMED,
            booked_by=principal.subject,
            created_at=now,
        )
        uow.session.add(booking)
        occupancy.touch(uow, booking, ctx.tz)
        uow.emit(
            BookingConfirmed(
                booking_id=booking.id,
                site_id=booking.site_id,
                room_id=booking.room_id,
                starts_at=cmd.starts_at.astimezone(ctx.tz),
                ends_at=cmd.ends_at.astimezone(ctx.tz),
                org_id=booking.org_id,
                purpose=booking.purpose,
                quarter_id=site.quarter_id,
            )
        )
        occupancy.commit(uow, ctx)
        log.info("booking_confirmed", booking_id=str(booking.id), site_id=cmd.site_id, room_id=cmd.room_id)
        uow.session.expunge_all()  # hand back detached objects; closing must not expire them
        return booking


def check_carrier_rules(
    uow: UnitOfWork,
    site: Site,
    org_id: str | None,
    wanted: list[rules.Period],
    *,
    ctx: SchedulingContext,
    now: datetime,
    direct: bool,
    field: str = "starts_at",
    ignore: Collection[uuid.UUID] = (),
) -> None:
    """A carrier booking (`direct`) or requesting room time itself: the site must let carriers
    book directly, and the time must lie within its horizon and the carrier's monthly quota --
    unless the carrier runs the site (its `carrier_id`), whose own programme the rules do not cap."""
    site_rules = site.rules()
    if direct and not site_rules.carriers_book_directly:
        raise rules.approval_required(site.name)
    if org_id is not None and org_id == site.carrier_id:
        return  # the carrier that runs the site plans its own programme there: it is no guest
    rules.check_horizon(wanted, site_rules, now=now, tz=ctx.tz, field=field)
    held = periods_held(uow, site.id, org_id, wanted, ctx.tz, ignore=ignore)
    name = dict(ctx.city.organisation_names).get(org_id or "", org_id)
    rules.check_quota(wanted, held, site_rules, org_id=name, tz=ctx.tz, field=field)


def _slots_around(uow: UnitOfWork, cmd: domain.BookRoom, ctx: SchedulingContext) -> list[domain.Slot]:
    """Confirmed bookings of the room on the local day of the request; the domain rule decides
    which of them collide."""
    day_start = datetime.combine(cmd.starts_at.astimezone(ctx.tz).date(), datetime.min.time(), ctx.tz)
    day_end = datetime.combine(day_start.date() + timedelta(days=1), datetime.min.time(), ctx.tz)
    rows = uow.session.scalars(
        select(Booking).where(
            Booking.site_id == cmd.site_id,
            Booking.room_id == cmd.room_id,
            Booking.status == domain.CONFIRMED,
            Booking.starts_at < day_end,
            Booking.ends_at > day_start,
        )
    ).all()
    return [domain.Slot(b.id, b.title, b.starts_at, b.ends_at, b.org_id) for b in rows]


def cancel_booking(
    booking_id: uuid.UUID,
    *,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    reason: domain.CancelReason | None,
    note: str | None = None,
    principal: Principal,
    now: datetime,
) -> Booking:
    """Cancels a confirmed booking; a carrier only its own organisation's. The note stays here:
    the event and the log carry the reason code only. The freed time goes to whoever waits for
    the room (earliest first), as when an occurrence is released."""
    with uow:
        booking = uow.session.get(Booking, booking_id, with_for_update=True)
        if booking is None:
            raise domain.booking_not_found(booking_id)
        access.check_own_booking(principal, booking.org_id)
        domain.check_cancellable(booking.status)
        booking.status = domain.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = principal.subject
        booking.cancel_reason = reason.value if reason else None
        booking.cancel_note = note
        occupancy.touch(uow, booking, ctx.tz)
        site = uow.session.get(Site, booking.site_id)
        assert site is not None  # a booking's site is never deleted
        uow.emit(
            BookingCancelled(
                booking_id=booking.id,
                site_id=booking.site_id,
                room_id=booking.room_id,
                reason=booking.cancel_reason,
                org_id=booking.org_id,
                offer_id=booking.offer_id,
                quarter_id=site.quarter_id,
            )
        )
        grant_waiting(uow, site, booking.room_id, booking.starts_at, booking.ends_at, ctx=ctx, now=now)
        occupancy.commit(uow, ctx)
        log.info("booking_cancelled", booking_id=str(booking.id), site_id=booking.site_id, reason=booking.cancel_reason)
        uow.session.expunge_all()
        return booking


def list_bookings(
    site_id: str,
    *,
    uow: UnitOfWork,
    starts: datetime,
    ends: datetime,
    room_id: str | None = None,
    include_cancelled: bool = False,
    orgs: frozenset[str] | None = None,
) -> list[Booking]:
    """Bookings of a site that overlap [starts, ends), earliest first; only those of `orgs`
    when given (a carrier's own)."""
    with uow:
        if uow.session.get(Site, site_id) is None:
            raise sites_domain.site_not_found(site_id)
        query = (
            select(Booking)
            .where(Booking.site_id == site_id, Booking.starts_at < ends, Booking.ends_at > starts)
            .order_by(Booking.starts_at, Booking.room_id)
        )
        if room_id is not None:
            query = query.where(Booking.room_id == room_id)
        if not include_cancelled:
            query = query.where(Booking.status == domain.CONFIRMED)
        if orgs is not None:
            query = query.where(Booking.org_id.in_(sorted(orgs)))
        bookings = list(uow.session.scalars(query).all())
        uow.session.expunge_all()
        return bookings


def get_booking(booking_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal) -> Booking:
    """One booking; a carrier sees only its own organisation's."""
    with uow:
        booking = uow.session.get(Booking, booking_id)
        if booking is None:
            raise domain.booking_not_found(booking_id)
        access.check_own_booking(principal, booking.org_id)
        uow.session.expunge_all()
        return booking
