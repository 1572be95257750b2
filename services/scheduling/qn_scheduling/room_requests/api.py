"""HTTP routes for carriers' room requests: translate, call a handler, translate back. Who may
call each route, and what they see, is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..bookings.api import RoomIdPath
from ..sites.api import SiteIdPath, context
from . import domain, handlers
from .schemas import ApproveIn, RejectIn, RoomRequestIn, RoomRequestOut

router = APIRouter(tags=["room requests"])


@router.post(
    "/sites/{site_id}/rooms/{room_id}/requests",
    status_code=201,
    response_model=RoomRequestOut,
    summary="Request a room, one slot or a series, for the coordinator to approve",
    responses=conflict(
        "A slot is taken already (use the waitlist), or the carrier's monthly quota at the site would be "
        "exceeded (`quota_exceeded`)"
    ),
)
def request_room(
    site_id: SiteIdPath,
    room_id: RoomIdPath,
    body: RoomRequestIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /sites/{site_id}/rooms/{room_id}/requests")],
) -> RoomRequestOut:
    command = domain.RequestRoom(
        site_id=site_id, room_id=room_id, starts_at=body.starts_at, ends_at=body.ends_at, title=body.title,
        org_id=body.org_id, purpose=body.purpose, rrule=body.rrule,
    )  # fmt: skip
    ctx, runtime = context(request), request.app.state.runtime
    made = handlers.request_room(
        command, uow=runtime.unit_of_work(), ctx=ctx, principal=principal, now=runtime.clock.now()
    )
    response.headers["Location"] = f"/requests/{made.id}"
    return RoomRequestOut.of(made, ctx.tz)


@router.get("/sites/{site_id}/requests", response_model=list[RoomRequestOut], summary="A site's room requests")
def list_requests(
    site_id: SiteIdPath,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /sites/{site_id}/requests")],
    status: Annotated[
        domain.RequestStatus | None, Query(description="Only requests in this state (the queue: pending).")
    ] = None,
) -> list[RoomRequestOut]:
    ctx, runtime = context(request), request.app.state.runtime
    found = handlers.list_requests(
        site_id, status=status, uow=runtime.unit_of_work(), orgs=access.visible_orgs(principal)
    )
    return [RoomRequestOut.of(r, ctx.tz) for r in found]


@router.get("/requests/{request_id}", response_model=RoomRequestOut, summary="Read a room request")
def get_request(
    request_id: uuid.UUID, request: Request, principal: Annotated[Principal, POLICY.guard("GET /requests/{request_id}")]
) -> RoomRequestOut:
    found = handlers.get_request(request_id, uow=request.app.state.runtime.unit_of_work(), principal=principal)
    return RoomRequestOut.of(found, context(request).tz)


@router.post(
    "/requests/{request_id}/approve",
    response_model=RoomRequestOut,
    summary="Approve a room request: every slot still ahead is booked",
    responses=conflict("Decided already, or a slot is taken since (the answer names the booking)"),
)
def approve_request(
    request_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /requests/{request_id}/approve")],
    body: ApproveIn | None = None,
) -> RoomRequestOut:
    ctx, runtime = context(request), request.app.state.runtime
    body = body or ApproveIn()
    decided = handlers.approve_request(
        request_id, skip_collisions=body.skip_collisions, note=body.note, uow=runtime.unit_of_work(), ctx=ctx,
        principal=principal, now=runtime.clock.now(),
    )  # fmt: skip
    return RoomRequestOut.of(decided, ctx.tz)


@router.post(
    "/requests/{request_id}/reject",
    response_model=RoomRequestOut,
    summary="Reject a room request with a reason",
    responses=conflict("Decided already"),
)
def reject_request(
    request_id: uuid.UUID,
    body: RejectIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /requests/{request_id}/reject")],
) -> RoomRequestOut:
    ctx, runtime = context(request), request.app.state.runtime
    decided = handlers.reject_request(
        request_id, reason=body.reason, note=body.note, uow=runtime.unit_of_work(), ctx=ctx, principal=principal,
        now=runtime.clock.now(),
    )  # fmt: skip
    return RoomRequestOut.of(decided, ctx.tz)


@router.post(
    "/requests/{request_id}/withdraw",
    response_model=RoomRequestOut,
    summary="Withdraw a pending room request",
    responses=conflict("Decided already"),
)
def withdraw_request(
    request_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /requests/{request_id}/withdraw")],
) -> RoomRequestOut:
    runtime = request.app.state.runtime
    decided = handlers.withdraw_request(
        request_id, uow=runtime.unit_of_work(), principal=principal, now=runtime.clock.now()
    )
    return RoomRequestOut.of(decided, context(request).tz)
