"""The room bookings that occurrences hold, and the events that announce them. An occurrence
books its room through the same table as a single booking, so the two collide with each other."""

from __future__ import annotations

import uuid
from datetime import datetime

from qn_contracts.scheduling import BookingCancelled, BookingConfirmed, OfferPublished
from qn_infra.unit_of_work import UnitOfWork

from ..bookings import domain as bookings_domain
from ..bookings import occupancy
from ..bookings.models import Booking
from ..sites.handlers import SchedulingContext
from ..sites.models import Site
from .calendar_rules import OccurrenceStatus
from .models import Occurrence, Offer

PURPOSE_OF_KIND = {"lunch_table": "meal", "counselling": "counselling", "office_hours": "office_hours"}


def book(
    occurrence: Occurrence, offer: Offer, site: Site, *, uow: UnitOfWork, ctx: SchedulingContext, by: str, now: datetime
) -> Booking:
    """Books the occurrence's room for it and announces the booking."""
    booking = Booking(
        id=uuid.uuid4(),
        site_id=occurrence.site_id,
        room_id=occurrence.room_id,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        title=offer.title,
        org_id=offer.org_id,
        purpose=PURPOSE_OF_KIND.get(offer.kind, "group"),
        offer_id=offer.id,
        status=bookings_domain.CONFIRMED,
        booked_by=by,
        created_at=now,
    )
    uow.session.add(booking)
    occupancy.touch(uow, booking, ctx.tz)
    occurrence.booking_id = booking.id
    uow.emit(
        BookingConfirmed(
            booking_id=booking.id,
            site_id=booking.site_id,
            room_id=booking.room_id,
            starts_at=booking.starts_at.astimezone(ctx.tz),
            ends_at=booking.ends_at.astimezone(ctx.tz),
            offer_id=offer.id,
            org_id=booking.org_id,
            purpose=booking.purpose,
            quarter_id=site.quarter_id,
        )
    )
    return booking


def release(
    occurrence: Occurrence, site: Site, *, uow: UnitOfWork, ctx: SchedulingContext, reason: str, by: str, now: datetime
) -> None:
    """Cancels the booking the occurrence holds, if any, and announces it."""
    if occurrence.booking_id is None:
        return
    booking = uow.session.get(Booking, occurrence.booking_id)
    occurrence.booking_id = None
    if booking is None or booking.status != bookings_domain.CONFIRMED:
        return
    booking.status = bookings_domain.CANCELLED
    booking.cancelled_at, booking.cancelled_by, booking.cancel_reason = now, by, reason
    occupancy.touch(uow, booking, ctx.tz)
    uow.emit(
        BookingCancelled(
            booking_id=booking.id,
            site_id=booking.site_id,
            room_id=booking.room_id,
            occurrence_start=booking.starts_at.astimezone(ctx.tz),
            reason=reason,
            org_id=booking.org_id,
            offer_id=occurrence.offer_id,
            quarter_id=site.quarter_id,
        )
    )


def exdates(offer: Offer, ctx: SchedulingContext) -> list[str]:
    """The local days the series leaves out: given ones, skipped, cancelled and moved away."""
    days = set(offer.exdates)
    for occurrence in offer.occurrences:
        if occurrence.status in (OccurrenceStatus.SKIPPED, OccurrenceStatus.CANCELLED) or occurrence.moved:
            days.add(occurrence.recurrence_id.astimezone(ctx.tz).date().isoformat())
    return sorted(days)


def published(offer: Offer, site: Site, ctx: SchedulingContext) -> OfferPublished:
    first = datetime.combine(offer.first_day, offer.starts, ctx.tz)
    minutes = int(
        (
            datetime.combine(offer.first_day, offer.ends) - datetime.combine(offer.first_day, offer.starts)
        ).total_seconds()
        // 60
    )
    return OfferPublished(
        offer_id=offer.id,
        site_id=offer.site_id,
        quarter_id=site.quarter_id,
        title=offer.title,
        topics=list(offer.topics),
        rrule=offer.rrule,
        starts_at=first,
        duration_minutes=minutes,
        org_id=offer.org_id,
        kind=offer.kind,
        room_id=offer.room_id,
        exdates=exdates(offer, ctx),
    )
