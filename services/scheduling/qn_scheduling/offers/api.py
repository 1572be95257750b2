"""HTTP routes for offers and their occurrences: translate, call a handler, translate back. Who
may call each route, and what they see, is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_infra.auth import Principal
from qn_infra.http import language
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..bookings.api import BOUND_PATTERN, RoomIdPath
from ..bookings.domain import listing_period
from ..sites.api import SiteIdPath, context
from . import attendance, domain, handlers, occurrences, reconfirmation
from .schemas import (
    AttendanceIn,
    CancelOccurrenceIn,
    MoveOccurrenceIn,
    NewOfferIn,
    OccurrenceOut,
    OfferChangesIn,
    OfferIn,
    OfferOut,
    PreviewOut,
    WaitlistIn,
    WaitlistOut,
)

router = APIRouter(tags=["offers"])


@router.post(
    "/sites/{site_id}/offers/preview",
    response_model=PreviewOut,
    summary="Preview a series: how many occurrences, which are skipped, which collide",
)
def preview_offer(
    site_id: SiteIdPath,
    body: OfferIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /sites/{site_id}/offers/preview")],
) -> PreviewOut:
    ctx, runtime = context(request), request.app.state.runtime
    plan, named = handlers.preview_offer(
        site_id,
        body.details(),
        body.when(),
        body.on_holiday,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=runtime.clock.now(),
    )
    return PreviewOut.of(plan, named, ctx.tz, domain.summary(plan, ctx.tz, language(request), named=named))


@router.post(
    "/sites/{site_id}/offers",
    status_code=201,
    response_model=OfferOut,
    summary="Create an offer with its occurrences and room bookings",
    responses=conflict(
        "Occurrences collide with bookings (the answer lists them; skip_collisions=true leaves them out)"
    ),
)
def create_offer(
    site_id: SiteIdPath,
    body: NewOfferIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /sites/{site_id}/offers")],
) -> OfferOut:
    ctx, runtime = context(request), request.app.state.runtime
    offer = handlers.create_offer(
        site_id,
        body.details(),
        body.when(),
        body.on_holiday,
        skip_collisions=body.skip_collisions,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=runtime.clock.now(),
        reconfirm_days=body.reconfirm_days,
    )
    response.headers["Location"] = f"/offers/{offer.id}"
    return OfferOut.of(offer)


@router.get("/sites/{site_id}/offers", response_model=list[OfferOut], summary="List a site's offers")
def list_offers(
    site_id: SiteIdPath,
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /sites/{site_id}/offers")],
) -> list[OfferOut]:
    return [OfferOut.of(o) for o in handlers.list_offers(site_id, uow=request.app.state.runtime.unit_of_work())]


@router.get("/offers/{offer_id}", response_model=OfferOut, summary="Read an offer")
def get_offer(
    offer_id: uuid.UUID, request: Request, _: Annotated[Principal, POLICY.guard("GET /offers/{offer_id}")]
) -> OfferOut:
    return OfferOut.of(handlers.get_offer(offer_id, uow=request.app.state.runtime.unit_of_work()))


@router.patch(
    "/offers/{offer_id}",
    response_model=OfferOut,
    summary="Edit an offer: this occurrence, this and all following, or the whole series",
    responses=conflict("The changed occurrences collide with bookings (the answer lists them)"),
)
def edit_offer(
    offer_id: uuid.UUID,
    body: OfferChangesIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("PATCH /offers/{offer_id}")],
) -> OfferOut:
    ctx, runtime = context(request), request.app.state.runtime
    now = runtime.clock.now()
    if body.scope is domain.Scope.OCCURRENCE:
        if body.occurrence_id is None:
            raise domain.OccurrenceNotFound(
                "Für einen einzelnen Termin bitte occurrence_id angeben.",
                "For a single occurrence please give occurrence_id.",
                field="occurrence_id",
            )
        changes = body.changes()
        starts_at, ends_at = occurrences.local_day_times(
            body.occurrence_id, changes.get("starts"), changes.get("ends"), uow=runtime.unit_of_work(), ctx=ctx
        )
        occurrences.move_occurrence(
            body.occurrence_id,
            starts_at=starts_at,
            ends_at=ends_at,
            room_id=changes.get("room_id"),
            reason=body.reason,
            note=body.note,
            uow=runtime.unit_of_work(),
            ctx=ctx,
            principal=principal,
            now=now,
        )
        return OfferOut.of(handlers.get_offer(offer_id, uow=runtime.unit_of_work()))
    offer = handlers.edit_series(
        offer_id,
        body.scope,
        body.occurrence_id,
        body.changes(),
        skip_collisions=body.skip_collisions,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=now,
    )
    return OfferOut.of(offer)


@router.get(
    "/offers/{offer_id}/occurrences",
    response_model=list[OccurrenceOut],
    summary="List an offer's occurrences, with skipped, cancelled and moved ones",
)
def list_occurrences(
    offer_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /offers/{offer_id}/occurrences")],
    starts: Annotated[str | None, Query(alias="from", pattern=BOUND_PATTERN, description="Default: today.")] = None,
    ends: Annotated[str | None, Query(alias="to", pattern=BOUND_PATTERN, description="Default: a week later.")] = None,
) -> list[OccurrenceOut]:
    ctx, runtime = context(request), request.app.state.runtime
    start, end = listing_period(starts, ends, ctx.tz, runtime.clock.now())
    offer, rows = occurrences.list_occurrences(offer_id, uow=runtime.unit_of_work(), starts=start, ends=end)
    with_note = access.reads_notes(principal, offer.org_id)
    return [OccurrenceOut.of(o, ctx.tz, with_note=with_note) for o in rows]


@router.post(
    "/occurrences/{occurrence_id}/cancel",
    response_model=OccurrenceOut,
    summary="Cancel one occurrence (a reason code and a free note)",
    responses=conflict("The occurrence is cancelled or skipped already"),
)
def cancel_occurrence(
    occurrence_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /occurrences/{occurrence_id}/cancel")],
    body: CancelOccurrenceIn | None = None,
) -> OccurrenceOut:
    ctx, runtime = context(request), request.app.state.runtime
    occurrence = occurrences.cancel_occurrence(
        occurrence_id,
        reason=body.reason if body else None,
        note=body.note if body else None,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=runtime.clock.now(),
    )
    return OccurrenceOut.of(occurrence, ctx.tz, with_note=True)


@router.post(
    "/occurrences/{occurrence_id}/move",
    response_model=OccurrenceOut,
    summary="Move one occurrence to another time or room",
    responses=conflict("The room is taken then (the answer names the booking, if the caller may see it)"),
)
def move_occurrence(
    occurrence_id: uuid.UUID,
    body: MoveOccurrenceIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /occurrences/{occurrence_id}/move")],
) -> OccurrenceOut:
    ctx, runtime = context(request), request.app.state.runtime
    occurrence = occurrences.move_occurrence(
        occurrence_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        room_id=body.room_id,
        reason=body.reason,
        note=body.note,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=runtime.clock.now(),
    )
    return OccurrenceOut.of(occurrence, ctx.tz, with_note=True)


@router.post(
    "/occurrences/{occurrence_id}/approve",
    response_model=OccurrenceOut,
    summary="Let an occurrence on a holiday or closure day take place",
    responses=conflict("It needs no approval, or the room is taken then"),
)
def approve_occurrence(
    occurrence_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /occurrences/{occurrence_id}/approve")],
) -> OccurrenceOut:
    ctx, runtime = context(request), request.app.state.runtime
    occurrence = occurrences.approve_occurrence(
        occurrence_id, uow=runtime.unit_of_work(), ctx=ctx, principal=principal, now=runtime.clock.now()
    )
    return OccurrenceOut.of(occurrence, ctx.tz, with_note=True)


@router.post(
    "/occurrences/{occurrence_id}/attendance",
    response_model=OccurrenceOut,
    summary="Record how many came to an occurrence (counts only)",
    responses=conflict("Attendance is recorded already, or the occurrence did not take place"),
)
def record_attendance(
    occurrence_id: uuid.UUID,
    body: AttendanceIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /occurrences/{occurrence_id}/attendance")],
) -> OccurrenceOut:
    ctx, runtime = context(request), request.app.state.runtime
    counted = attendance.Attendance(body.attendance, body.new_visitors, body.returning_visitors, body.by_age_band)
    occurrence = attendance.record_attendance(
        occurrence_id, counted, uow=runtime.unit_of_work(), ctx=ctx, principal=principal, now=runtime.clock.now()
    )
    return OccurrenceOut.of(occurrence, ctx.tz, with_note=True)


@router.post(
    "/occurrences/{occurrence_id}/confirm",
    response_model=OccurrenceOut,
    summary="Re-confirm an occurrence (rotating counsellors), so that its room is kept",
    responses=conflict("The occurrence was cancelled or released already"),
)
def confirm_occurrence(
    occurrence_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /occurrences/{occurrence_id}/confirm")],
) -> OccurrenceOut:
    ctx, runtime = context(request), request.app.state.runtime
    occurrence = reconfirmation.confirm_occurrence(
        occurrence_id, uow=runtime.unit_of_work(), principal=principal, now=runtime.clock.now()
    )
    return OccurrenceOut.of(occurrence, ctx.tz, with_note=True)


@router.post(
    "/sites/{site_id}/rooms/{room_id}/waitlist",
    status_code=201,
    response_model=WaitlistOut,
    summary="Wait for a room at a time it is taken (granted when that time is released)",
)
def join_waitlist(
    site_id: SiteIdPath,
    room_id: RoomIdPath,
    body: WaitlistIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /sites/{site_id}/rooms/{room_id}/waitlist")],
) -> WaitlistOut:
    ctx, runtime = context(request), request.app.state.runtime
    entry = reconfirmation.join_waitlist(
        site_id,
        room_id,
        body.starts_at,
        body.ends_at,
        body.title,
        body.org_id,
        uow=runtime.unit_of_work(),
        ctx=ctx,
        principal=principal,
        now=runtime.clock.now(),
    )
    return WaitlistOut.of(entry, ctx.tz)
