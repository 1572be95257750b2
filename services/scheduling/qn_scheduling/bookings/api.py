"""HTTP routes for bookings: translate, call a handler, translate back. Who may call each route,
and what they see, is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..sites.api import SiteIdPath, context
from ..sites.schemas import ID_PATTERN
from . import domain, handlers
from .schemas import BookingIn, BookingOut, CancelIn

router = APIRouter(tags=["bookings"])

_DAY = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
_OFFSET = r"(Z|[+ -]([01][0-9]|2[0-3]):[0-5][0-9])"  # ' ': an unencoded '+' in a query string
BOUND_PATTERN = rf"^{_DAY}(T{_CLOCK}{_OFFSET})?$"
"""A listing bound: a date, or a timestamp with its offset."""

RoomIdPath = Annotated[str, Path(pattern=ID_PATTERN, description="Id of the room.", examples=["beratung-2"])]


@router.post(
    "/sites/{site_id}/rooms/{room_id}/bookings",
    status_code=201,
    response_model=BookingOut,
    summary="Book a room (409 names the booking it collides with)",
    responses=conflict(
        "The room is taken then (the answer names the booking, if the caller may see it), or a carrier's "
        "monthly quota at the site would be exceeded (`quota_exceeded`)"
    ),
)
def book_room(
    site_id: SiteIdPath,
    room_id: RoomIdPath,
    body: BookingIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /sites/{site_id}/rooms/{room_id}/bookings")],
) -> BookingOut:
    command = domain.BookRoom(
        site_id=site_id,
        room_id=room_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        title=body.title,
        org_id=body.org_id,
        purpose=body.purpose,
    )
    ctx, runtime = context(request), request.app.state.runtime
    booking = handlers.book_room(
        command,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=runtime.clock.now(),
    )
    response.headers["Location"] = f"/bookings/{booking.id}"
    return BookingOut.of(booking, ctx.tz, with_note=True)


@router.get("/sites/{site_id}/bookings", response_model=list[BookingOut], summary="List a site's bookings")
def list_bookings(
    site_id: SiteIdPath,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /sites/{site_id}/bookings")],
    starts: Annotated[
        str | None,
        Query(
            alias="from",
            pattern=BOUND_PATTERN,
            description="Timestamp with offset, or a date (from its local midnight). Default: today.",
            examples=["2026-11-23"],
        ),
    ] = None,
    ends: Annotated[
        str | None,
        Query(
            alias="to",
            pattern=BOUND_PATTERN,
            description="Timestamp with offset (exclusive), or a date (included). Default: 7 days after `from`.",
            examples=["2026-11-29"],
        ),
    ] = None,
    room_id: Annotated[str | None, Query(pattern=ID_PATTERN, description="Only this room.")] = None,
    include_cancelled: Annotated[bool, Query(description="Also list cancelled bookings.")] = False,
) -> list[BookingOut]:
    ctx, runtime = context(request), request.app.state.runtime
    start, end = domain.listing_period(starts, ends, ctx.tz, runtime.clock.now())
    bookings = handlers.list_bookings(
        site_id,
        uow=runtime.unit_of_work(),
        starts=start,
        ends=end,
        room_id=room_id,
        include_cancelled=include_cancelled,
        orgs=access.visible_orgs(principal),
    )
    return [BookingOut.of(b, ctx.tz, with_note=access.reads_notes(principal, b.org_id)) for b in bookings]


@router.get("/bookings/{booking_id}", response_model=BookingOut, summary="Read a booking")
def get_booking(
    booking_id: uuid.UUID, request: Request, principal: Annotated[Principal, POLICY.guard("GET /bookings/{booking_id}")]
) -> BookingOut:
    booking = handlers.get_booking(booking_id, uow=request.app.state.runtime.unit_of_work(), principal=principal)
    return BookingOut.of(booking, context(request).tz, with_note=access.reads_notes(principal, booking.org_id))


@router.post(
    "/bookings/{booking_id}/cancel",
    response_model=BookingOut,
    summary="Cancel a booking",
    responses=conflict("The booking is cancelled already"),
)
def cancel_booking(
    booking_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /bookings/{booking_id}/cancel")],
    body: CancelIn | None = None,
) -> BookingOut:
    runtime = request.app.state.runtime
    booking = handlers.cancel_booking(
        booking_id,
        uow=runtime.unit_of_work(),
        ctx=context(request),
        reason=body.reason if body else None,
        note=body.note if body else None,
        principal=principal,
        now=runtime.clock.now(),
    )
    return BookingOut.of(booking, context(request).tz, with_note=True)
