"""HTTP routes of the personal calendar feed: make or renew the secret link, revoke it, and the
feed itself (public: the link is the secret). Who may call each route is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from qn_infra.auth import Principal

from .. import access
from ..access import POLICY
from ..volunteers import handlers as volunteers
from . import handlers, ical
from .schemas import FeedLinkOut

router = APIRouter(tags=["calendar"])

ICS = "text/calendar; charset=utf-8"
CALENDAR: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar (RFC 5545) document."},
    404: {"description": "No such link: unknown, renewed or revoked"},
}
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{32,64}$", description="The secret of the link.")]


def _check_own(request: Request, principal: Principal, volunteer_id: uuid.UUID) -> None:
    volunteer = volunteers.get_volunteer(volunteer_id, uow=request.app.state.runtime.unit_of_work())
    access.check_sees_volunteer(principal, volunteer.account)


@router.post(
    "/volunteers/{volunteer_id}/calendar-feed",
    status_code=201,
    response_model=FeedLinkOut,
    summary="Make or renew the volunteer's secret calendar link (an older link stops working)",
)
def renew_feed(
    volunteer_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /volunteers/{volunteer_id}/calendar-feed")],
) -> FeedLinkOut:
    _check_own(request, principal, volunteer_id)
    runtime = request.app.state.runtime
    now = runtime.clock.now()
    token = handlers.renew_feed(volunteer_id, uow=runtime.unit_of_work(), by=principal.subject, now=now)
    base = request.app.state.matching.public_url.rstrip("/")
    return FeedLinkOut(url=f"{base}/calendar-feeds/{token}.ics", created_at=now)


@router.delete(
    "/volunteers/{volunteer_id}/calendar-feed",
    status_code=204,
    response_class=Response,
    summary="Revoke the volunteer's calendar link (also when there is none)",
)
def revoke_feed(
    volunteer_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("DELETE /volunteers/{volunteer_id}/calendar-feed")],
) -> Response:
    _check_own(request, principal, volunteer_id)
    handlers.revoke_feed(volunteer_id, uow=request.app.state.runtime.unit_of_work())
    return Response(status_code=204)


@router.get(
    "/calendar-feeds/{token}.ics",
    response_class=Response,
    responses=CALENDAR,
    summary="A volunteer's tasks as iCalendar: kind, quarter and time, never the person or the address",
)
def feed(token: Token, request: Request) -> Response:
    runtime = request.app.state.runtime
    tasks = handlers.tasks_of_feed(token, uow=runtime.unit_of_work())
    body = ical.calendar(tasks, request.app.state.matching.city, stamp=runtime.clock.now())
    # private: a shared cache must not keep one person's calendar
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, max-age=300"})
