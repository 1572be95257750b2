"""Use cases for one occurrence: cancel, move, approve (a holiday kept with approval)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import select

from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..bookings import domain as bookings_domain
from ..bookings import occupancy
from ..sites.handlers import SchedulingContext
from ..sites.models import Site
from . import bookings_of_occurrences as held
from . import calendar_rules, domain
from .calendar_rules import ChangeReason, OccurrenceStatus, Planned
from .models import Occurrence, Offer
from .planning import check_hours, room_slots, site_and_room
from .reconfirmation import grant_waiting

log = get_logger(__name__)
TAKING_PLACE = (OccurrenceStatus.SCHEDULED, OccurrenceStatus.PENDING_APPROVAL)


def _changeable(
    uow: UnitOfWork, occurrence_id: uuid.UUID, principal: Principal, now: datetime
) -> tuple[Occurrence, Offer]:
    occurrence = uow.session.get(Occurrence, occurrence_id, with_for_update=True)
    if occurrence is None:
        raise domain.occurrence_not_found(occurrence_id)
    offer = occurrence.offer
    access.check_own_booking(principal, offer.org_id)
    if occurrence.status not in TAKING_PLACE:
        raise domain.not_changeable(occurrence.status)
    if occurrence.starts_at < now:
        raise domain.in_the_past("occurrence_id")
    return occurrence, offer


def cancel_occurrence(
    occurrence_id: uuid.UUID,
    *,
    reason: ChangeReason | None,
    note: str | None,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> Occurrence:
    """Cancels one occurrence and releases its room; the note stays here, the event carries the code."""
    with uow:
        occurrence, offer = _changeable(uow, occurrence_id, principal, now)
        site = uow.session.get(Site, occurrence.site_id)
        assert site is not None  # an occurrence's site is never deleted
        code = (reason or ChangeReason.OTHER).value
        held.release(occurrence, site, uow=uow, ctx=ctx, reason=code, by=principal.subject, now=now)
        occurrence.status, occurrence.reason, occurrence.note = OccurrenceStatus.CANCELLED.value, code, note
        occurrence.changed_at, occurrence.changed_by = now, principal.subject
        uow.session.flush()
        grant_waiting(uow, site, occurrence.room_id, occurrence.starts_at, occurrence.ends_at, ctx=ctx, now=now)
        uow.emit(held.published(offer, site, ctx))
        occupancy.commit(uow, ctx)
        log.info("occurrence_cancelled", occurrence_id=str(occurrence.id), offer_id=str(offer.id), reason=code)
        uow.session.expunge_all()
        return occurrence


def move_occurrence(
    occurrence_id: uuid.UUID,
    *,
    starts_at: datetime,
    ends_at: datetime,
    room_id: str | None,
    reason: ChangeReason | None,
    note: str | None,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> Occurrence:
    """Moves one occurrence to another time (and room); its booking moves with it. The new time
    lies within opening hours, not on a holiday or closure day, not in the past, in a free room."""
    bookings_domain.check_period(starts_at, ends_at, ctx.tz)
    if starts_at < now:
        raise domain.in_the_past("starts_at")
    with uow:
        occurrence, offer = _changeable(uow, occurrence_id, principal, now)
        site, room = site_and_room(uow, occurrence.site_id, room_id or occurrence.room_id)
        placed = Planned(occurrence.recurrence_id, starts_at, ends_at, OccurrenceStatus.SCHEDULED)
        check_hours(placed, site, ctx)
        blocker = calendar_rules.blocker_on(starts_at.astimezone(ctx.tz).date(), ctx.city.state, site.spec().closures)
        if blocker is not None:
            raise domain.InvalidOffer(
                f"An diesem Tag ist {site.name} geschlossen ({blocker.label}).",
                f"{site.name} is closed that day ({blocker.label}).",
                field="starts_at",
            )
        own = {occurrence.booking_id} if occurrence.booking_id else set()
        slots = room_slots(uow, site.id, room.room_id, starts_at, ends_at, ignore=own)
        if slots:
            raise bookings_domain.conflict(
                slots[0], room.name, ctx.tz, named=access.may_see(principal, slots[0].org_id)
            )
        by = principal.subject
        held.release(occurrence, site, uow=uow, ctx=ctx, reason=ChangeReason.RESCHEDULED.value, by=by, now=now)
        occurrence.starts_at, occurrence.ends_at, occurrence.room_id = starts_at, ends_at, room.room_id
        occurrence.moved, occurrence.status = True, OccurrenceStatus.SCHEDULED.value
        occurrence.reason, occurrence.note = (reason or ChangeReason.RESCHEDULED).value, note
        occurrence.changed_at, occurrence.changed_by = now, by
        held.book(occurrence, offer, site, uow=uow, ctx=ctx, by=by, now=now)
        uow.session.flush()
        uow.emit(held.published(offer, site, ctx))
        occupancy.commit(uow, ctx)
        log.info("occurrence_moved", occurrence_id=str(occurrence.id), offer_id=str(offer.id))
        uow.session.expunge_all()
        return occurrence


def approve_occurrence(
    occurrence_id: uuid.UUID, *, uow: UnitOfWork, ctx: SchedulingContext, principal: Principal, now: datetime
) -> Occurrence:
    """The coordinator lets an occurrence on a holiday or closure day take place: it books its room."""
    with uow:
        occurrence, offer = _changeable(uow, occurrence_id, principal, now)
        if occurrence.status != OccurrenceStatus.PENDING_APPROVAL:
            raise domain.OccurrenceNotChangeable(
                "Dieser Termin braucht keine Freigabe.", "This occurrence needs no approval.", field="occurrence_id"
            )
        site, room = site_and_room(uow, occurrence.site_id, occurrence.room_id)
        slots = room_slots(uow, site.id, room.room_id, occurrence.starts_at, occurrence.ends_at)
        if slots:
            raise bookings_domain.conflict(
                slots[0], room.name, ctx.tz, named=access.may_see(principal, slots[0].org_id)
            )
        occurrence.status, occurrence.changed_at, occurrence.changed_by = (
            OccurrenceStatus.SCHEDULED.value,
            now,
            principal.subject,
        )
        held.book(occurrence, offer, site, uow=uow, ctx=ctx, by=principal.subject, now=now)
        occupancy.commit(uow, ctx)
        log.info("occurrence_approved", occurrence_id=str(occurrence.id), offer_id=str(offer.id))
        uow.session.expunge_all()
        return occurrence


def list_occurrences(
    offer_id: uuid.UUID, *, uow: UnitOfWork, starts: datetime, ends: datetime
) -> tuple[Offer, list[Occurrence]]:
    """An offer's occurrences overlapping [starts, ends), every status (the programme is public)."""
    with uow:
        offer = uow.session.get(Offer, offer_id)
        if offer is None:
            raise domain.offer_not_found(offer_id)
        rows = list(
            uow.session.scalars(
                select(Occurrence)
                .where(Occurrence.offer_id == offer_id, Occurrence.starts_at < ends, Occurrence.ends_at > starts)
                .order_by(Occurrence.starts_at)
            ).all()
        )
        uow.session.expunge_all()
        return offer, rows


def local_day_times(
    occurrence_id: uuid.UUID, starts: time | None, ends: time | None, *, uow: UnitOfWork, ctx: SchedulingContext
) -> tuple[datetime, datetime]:
    """New start and end of an occurrence on its own local day, from clock times (an edit with
    scope "occurrence" that changes the time only)."""
    with uow:
        occurrence = uow.session.get(Occurrence, occurrence_id)
        if occurrence is None:
            raise domain.occurrence_not_found(occurrence_id)
        start, end = occurrence.starts_at.astimezone(ctx.tz), occurrence.ends_at.astimezone(ctx.tz)
        new_start = datetime.combine(start.date(), starts or start.time(), ctx.tz)
        new_end = datetime.combine(start.date(), ends or end.time(), ctx.tz)
        return new_start, new_end
