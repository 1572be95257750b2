"""Reads the booking rules need: the room time a carrier already holds or has asked for."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from qn_infra.unit_of_work import UnitOfWork

from ..bookings import domain as bookings_domain
from ..bookings.models import Booking
from ..bookings.rules import Period
from .models import RoomRequest

PENDING = "pending"


def slots_of(request: RoomRequest) -> list[Period]:
    return [(datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in request.slots]


def periods_held(
    uow: UnitOfWork,
    site_id: str,
    org_id: str | None,
    wanted: Sequence[Period],
    tz: ZoneInfo,
    *,
    ignore: Collection[uuid.UUID] = (),
) -> list[Period]:
    """The organisation's confirmed bookings and pending requests at the site in the local months
    that `wanted` touches: what its quota already carries (less the bookings in `ignore`, which
    the caller is about to give back)."""
    if not wanted or org_id is None:
        return []
    first = min(start for start, _ in wanted).astimezone(tz).date().replace(day=1)
    last = max(start for start, _ in wanted).astimezone(tz).date().replace(day=1)
    starts = datetime.combine(first, time.min, tz)
    ends = datetime.combine((last + timedelta(days=32)).replace(day=1), time.min, tz)
    booked = uow.session.execute(
        select(Booking.starts_at, Booking.ends_at).where(
            Booking.site_id == site_id,
            Booking.org_id == org_id,
            Booking.status == bookings_domain.CONFIRMED,
            Booking.starts_at >= starts,
            Booking.starts_at < ends,
            Booking.id.not_in(list(ignore)),
        )
    ).all()
    periods: list[Period] = [(row.starts_at, row.ends_at) for row in booked]
    pending = uow.session.scalars(
        select(RoomRequest).where(
            RoomRequest.site_id == site_id, RoomRequest.org_id == org_id, RoomRequest.status == PENDING
        )
    ).all()
    for request in pending:
        periods.extend(slot for slot in slots_of(request) if starts <= slot[0] < ends)
    return periods
