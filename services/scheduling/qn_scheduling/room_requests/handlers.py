"""Use cases for carriers' room requests: one verb per function."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select

from qn_contracts.scheduling import BookingConfirmed, BookingRejected, BookingRequested
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..bookings import domain as bookings_domain
from ..bookings import occupancy
from ..bookings.handlers import check_carrier_rules
from ..bookings.models import Booking
from ..offers.planning import room_slots, site_and_room
from ..sites import domain as sites_domain
from ..sites.handlers import SchedulingContext
from ..sites.models import Site
from . import domain
from .domain import RequestStatus
from .models import RoomRequest
from .queries import slots_of

log = get_logger(__name__)


def request_room(
    cmd: domain.RequestRoom, *, uow: UnitOfWork, ctx: SchedulingContext, principal: Principal, now: datetime
) -> RoomRequest:
    """A carrier (or anyone who books) asks for a room, one slot or a series, for the coordinator
    to decide. A carrier's request must lie within the site's horizon and its monthly quota, and
    every slot must be free now: a taken time is for the waitlist, not a request."""
    bookings_domain.check_period(cmd.starts_at, cmd.ends_at, ctx.tz)
    bookings_domain.check_not_past(cmd.starts_at, now)
    org_id = access.booking_org(cmd.org_id, principal)
    if org_id is not None:
        sites_domain.check_known_org(org_id, ctx.city.bookers, field="org_id")
    with uow:
        site, room = site_and_room(uow, cmd.site_id, cmd.room_id, lock=False)
        spec = site.spec()
        if not cmd.rrule:
            bookings_domain.check_opening_hours(
                cmd.starts_at, cmd.ends_at, spec.opening_hours, ctx.tz, site_name=site.name
            )
        planned = domain.slots(cmd, tz=ctx.tz, state=ctx.city.state, closures=spec.closures, hours=spec.opening_hours)
        if access.own_org_only(principal):
            check_carrier_rules(uow, site, org_id, planned.taking_place, ctx=ctx, now=now, direct=False)
        for start, end in planned.taking_place:
            taken = room_slots(uow, site.id, room.room_id, start, end)
            if taken:
                raise bookings_domain.conflict(
                    taken[0], room.name, ctx.tz, named=access.may_see(principal, taken[0].org_id)
                )
        first_start, first_end = planned.taking_place[0]
        request = RoomRequest(
            id=uuid.uuid4(), site_id=site.id, room_id=room.room_id, org_id=org_id, title=cmd.title,
            purpose=cmd.purpose, rrule=cmd.rrule, starts_at=first_start, ends_at=first_end,
            slots=domain.encode(planned.taking_place),
            skipped=[start.date().isoformat() for start, _ in planned.skipped],
            status=RequestStatus.PENDING.value, requested_by=principal.subject, created_at=now, booking_ids=[],
        )  # fmt: skip
        uow.session.add(request)
        uow.emit(
            BookingRequested(
                request_id=request.id, site_id=site.id, room_id=room.room_id, quarter_id=site.quarter_id,
                starts_at=first_start.astimezone(ctx.tz), ends_at=first_end.astimezone(ctx.tz),
                slots=len(planned.taking_place), rrule=cmd.rrule, org_id=org_id, purpose=cmd.purpose,
            )
        )  # fmt: skip
        uow.commit()
        log.info("room_requested", request_id=str(request.id), site_id=site.id, slots=len(planned.taking_place))
        uow.session.expunge_all()
        return request


def approve_request(
    request_id: uuid.UUID,
    *,
    skip_collisions: bool,
    note: str | None,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> RoomRequest:
    """The coordinator approves: every slot still ahead is booked at once. A slot taken since the
    request refuses the whole approval with 409 naming it, unless `skip_collisions` leaves it out."""
    with uow:
        request = _locked(uow, request_id)
        domain.check_pending(request.status)
        site, room = site_and_room(uow, request.site_id, request.room_id)
        ahead = domain.still_ahead(slots_of(request), now)
        if not ahead:
            raise domain.nothing_left()
        free = []
        for start, end in ahead:
            taken = room_slots(uow, site.id, room.room_id, start, end)
            if taken and not skip_collisions:
                raise bookings_domain.conflict(taken[0], room.name, ctx.tz)
            if not taken:
                free.append((start, end))
        if not free:
            raise bookings_domain.conflict(room_slots(uow, site.id, room.room_id, *ahead[0])[0], room.name, ctx.tz)
        for start, end in free:
            booking = Booking(
                id=uuid.uuid4(), site_id=site.id, room_id=room.room_id, starts_at=start, ends_at=end,
                title=request.title, org_id=request.org_id, purpose=request.purpose,
                status=bookings_domain.CONFIRMED, booked_by=request.requested_by, created_at=now,
            )  # fmt: skip
            uow.session.add(booking)
            occupancy.touch(uow, booking, ctx.tz)
            request.booking_ids = [*request.booking_ids, str(booking.id)]
            uow.emit(
                BookingConfirmed(
                    booking_id=booking.id, site_id=site.id, room_id=room.room_id,
                    starts_at=start.astimezone(ctx.tz), ends_at=end.astimezone(ctx.tz), org_id=request.org_id,
                    purpose=request.purpose, quarter_id=site.quarter_id, request_id=request.id,
                )
            )  # fmt: skip
        _decide(request, RequestStatus.APPROVED, principal, now, reason=None, note=note)
        occupancy.commit(uow, ctx)
        log.info("room_request_approved", request_id=str(request.id), booked=len(free), skipped=len(ahead) - len(free))
        uow.session.expunge_all()
        return request


def reject_request(
    request_id: uuid.UUID,
    *,
    reason: domain.RejectReason,
    note: str | None,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> RoomRequest:
    """The coordinator says no, with a reason code (in the event) and a note (only here)."""
    with uow:
        request = _locked(uow, request_id)
        domain.check_pending(request.status)
        site, _ = site_and_room(uow, request.site_id, request.room_id, lock=False)
        _decide(request, RequestStatus.REJECTED, principal, now, reason=reason.value, note=note)
        uow.emit(
            BookingRejected(
                booking_id=request.id, site_id=request.site_id, room_id=request.room_id,
                starts_at=request.starts_at.astimezone(ctx.tz), ends_at=request.ends_at.astimezone(ctx.tz),
                reason=reason.value, org_id=request.org_id, quarter_id=site.quarter_id, request_id=request.id,
            )
        )  # fmt: skip
        uow.commit()
        log.info("room_request_rejected", request_id=str(request.id), reason=reason.value)
        uow.session.expunge_all()
        return request


def withdraw_request(request_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal, now: datetime) -> RoomRequest:
    """Whoever asked (a carrier: only its own organisation's) takes a pending request back."""
    with uow:
        request = _locked(uow, request_id)
        access.check_own_booking(principal, request.org_id)
        domain.check_pending(request.status)
        _decide(request, RequestStatus.WITHDRAWN, principal, now, reason=None, note=None)
        uow.commit()
        uow.session.expunge_all()
        return request


def get_request(request_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal) -> RoomRequest:
    """One request; a carrier sees only its own organisation's (403 otherwise)."""
    with uow:
        request = uow.session.get(RoomRequest, request_id)
        if request is None:
            raise domain.request_not_found(request_id)
        access.check_own_booking(principal, request.org_id)
        uow.session.expunge_all()
        return request


def list_requests(
    site_id: str, *, status: RequestStatus | None, uow: UnitOfWork, orgs: frozenset[str] | None
) -> list[RoomRequest]:
    """A site's requests, oldest first (the coordinator's queue); a carrier's own only."""
    with uow:
        if uow.session.get(Site, site_id) is None:
            raise sites_domain.site_not_found(site_id)
        query = select(RoomRequest).where(RoomRequest.site_id == site_id).order_by(RoomRequest.created_at)
        if status is not None:
            query = query.where(RoomRequest.status == status.value)
        if orgs is not None:
            query = query.where(RoomRequest.org_id.in_(sorted(orgs)))
        requests = list(uow.session.scalars(query).all())
        uow.session.expunge_all()
        return requests


def _locked(uow: UnitOfWork, request_id: uuid.UUID) -> RoomRequest:
    request = uow.session.get(RoomRequest, request_id, with_for_update=True)
    if request is None:
        raise domain.request_not_found(request_id)
    return request


def _decide(
    request: RoomRequest,
    status: RequestStatus,
    principal: Principal,
    now: datetime,
    *,
    reason: str | None,
    note: str | None,
) -> None:
    request.status, request.decided_by, request.decided_at = status.value, principal.subject, now
    request.reason, request.note = reason, note
