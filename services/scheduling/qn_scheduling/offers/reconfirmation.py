"""Re-confirmation for rotating external counsellors, and the room waitlist.

An offer with `reconfirm_days` asks its owner to confirm each occurrence that many days before.
An occurrence still unconfirmed once that point has passed is called off (reason
`not_reconfirmed`): its room is released, the cancellation goes out as an event, in the programme
and in the feeds, and the room goes to the earliest waiting request that fits the freed time."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from qn_contracts.scheduling import BookingConfirmed
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.runtime import ServiceRuntime
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..bookings import domain as bookings_domain
from ..bookings import occupancy
from ..bookings.models import Booking
from ..sites import domain as sites_domain
from ..sites.handlers import SchedulingContext
from ..sites.models import Site
from . import bookings_of_occurrences as held
from . import domain
from .calendar_rules import ChangeReason, OccurrenceStatus
from .models import Occurrence, Offer, WaitlistEntry
from .planning import room_slots, site_and_room

log = get_logger(__name__)
RELEASE_EVERY_SECONDS = 300
WAITING, GRANTED = "waiting", "granted"


def confirm_occurrence(occurrence_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal, now: datetime) -> Occurrence:
    """The owner confirms that it comes to this occurrence (idempotent)."""
    with uow:
        occurrence = uow.session.get(Occurrence, occurrence_id, with_for_update=True)
        if occurrence is None:
            raise domain.occurrence_not_found(occurrence_id)
        access.check_own_booking(principal, occurrence.offer.org_id)
        if occurrence.status != OccurrenceStatus.SCHEDULED.value:
            raise domain.not_changeable(occurrence.status)
        if occurrence.starts_at < now:
            raise domain.in_the_past("occurrence_id")
        occurrence.confirmed_at = occurrence.confirmed_at or now
        uow.commit()
        uow.session.expunge_all()
        return occurrence


def join_waitlist(
    site_id: str,
    room_id: str,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    org_id: str | None,
    *,
    uow: UnitOfWork,
    ctx: SchedulingContext,
    principal: Principal,
    now: datetime,
) -> WaitlistEntry:
    """Asks for a room at a time it is taken; a free time is booked directly, not waited for."""
    bookings_domain.check_period(starts_at, ends_at, ctx.tz)
    bookings_domain.check_not_past(starts_at, now)
    org = access.booking_org(org_id, principal)
    if org is not None:
        sites_domain.check_known_org(org, ctx.city.bookers, field="org_id")
    with uow:
        site, room = site_and_room(uow, site_id, room_id, lock=False)
        bookings_domain.check_opening_hours(starts_at, ends_at, site.windows(), ctx.tz, site_name=site.name)
        if not room_slots(uow, site_id, room_id, starts_at, ends_at):
            raise domain.InvalidOffer(
                f"{room.name} ist dann frei: bitte direkt buchen.",
                f"{room.name} is free then: please book it directly.",
                field="starts_at",
            )
        entry = WaitlistEntry(
            id=uuid.uuid4(), site_id=site_id, room_id=room_id, starts_at=starts_at, ends_at=ends_at, title=title,
            org_id=org, status=WAITING, requested_by=principal.subject, created_at=now,
        )  # fmt: skip
        uow.session.add(entry)
        uow.commit()
        uow.session.expunge_all()
        return entry


def release_unconfirmed(*, uow: UnitOfWork, ctx: SchedulingContext, now: datetime) -> int:
    """Calls off every occurrence whose re-confirmation is overdue and hands its room on; returns
    how many were released."""
    with uow:
        due = uow.session.execute(
            select(Occurrence, Offer)
            .join(Offer, Occurrence.offer_id == Offer.id)
            .where(Offer.reconfirm_days.is_not(None), Occurrence.status == OccurrenceStatus.SCHEDULED.value)
            .where(Occurrence.confirmed_at.is_(None), Occurrence.starts_at > now)
            .with_for_update()
        ).all()
        released = 0
        for occurrence, offer in due:
            if occurrence.starts_at - timedelta(days=offer.reconfirm_days or 0) > now:
                continue
            site = uow.session.get(Site, occurrence.site_id)
            assert site is not None
            reason = ChangeReason.NOT_RECONFIRMED.value
            held.release(occurrence, site, uow=uow, ctx=ctx, reason=reason, by="system", now=now)
            occurrence.status, occurrence.reason = OccurrenceStatus.CANCELLED.value, reason
            occurrence.changed_at, occurrence.changed_by = now, "system"
            uow.session.flush()
            grant_waiting(uow, site, occurrence.room_id, occurrence.starts_at, occurrence.ends_at, ctx=ctx, now=now)
            uow.emit(held.published(offer, site, ctx))
            released += 1
        occupancy.commit(uow, ctx)
        if released:
            log.info("occurrences_released", count=released)
        return released


def grant_waiting(
    uow: UnitOfWork,
    site: Site,
    room_id: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    ctx: SchedulingContext,
    now: datetime,
) -> Booking | None:
    """Books the room for the earliest waiting request that now fits the freed time, if any:
    the same rule whether an occurrence was released, cancelled or a booking cancelled."""
    uow.session.flush()  # the freed booking must no longer count as taking the room
    waiting = uow.session.scalars(
        select(WaitlistEntry)
        .where(WaitlistEntry.site_id == site.id, WaitlistEntry.room_id == room_id)
        .where(WaitlistEntry.status == WAITING, WaitlistEntry.starts_at < ends_at)
        .where(WaitlistEntry.ends_at > starts_at, WaitlistEntry.starts_at > now)
        .order_by(WaitlistEntry.created_at)
    ).all()
    for entry in waiting:
        if room_slots(uow, entry.site_id, entry.room_id, entry.starts_at, entry.ends_at):
            continue  # still taken by something else
        booking = Booking(
            id=uuid.uuid4(), site_id=entry.site_id, room_id=entry.room_id, starts_at=entry.starts_at,
            ends_at=entry.ends_at, title=entry.title, org_id=entry.org_id, purpose="counselling",
            status=bookings_domain.CONFIRMED, booked_by=entry.requested_by, created_at=now,
        )  # fmt: skip
        uow.session.add(booking)
        occupancy.touch(uow, booking, ctx.tz)
        entry.status, entry.booking_id = GRANTED, booking.id
        uow.emit(
            BookingConfirmed(
                booking_id=booking.id, site_id=booking.site_id, room_id=booking.room_id,
                starts_at=booking.starts_at.astimezone(ctx.tz), ends_at=booking.ends_at.astimezone(ctx.tz),
                org_id=booking.org_id, purpose=booking.purpose, quarter_id=site.quarter_id,
            )
        )  # fmt: skip
        uow.session.flush()
        log.info("waitlist_granted", entry_id=str(entry.id), booking_id=str(booking.id), site_id=site.id)
        return booking
    return None


def register(runtime: ServiceRuntime, context: Callable[[], SchedulingContext]) -> None:
    """Adds the release of unconfirmed occurrences to the runtime's periodic jobs."""
    runtime.every(
        RELEASE_EVERY_SECONDS,
        "release-unconfirmed-occurrences",
        lambda: release_unconfirmed(uow=runtime.unit_of_work(), ctx=context(), now=runtime.clock.now()),
    )
