"""HTTP routes for help requests and proposals: translate, call a handler, translate back. Who
may call each route, and what they see, is in `..access`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_contracts.vocabulary import QuarterId
from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..volunteers import handlers as volunteers
from . import appointment, handlers, queries, task_log
from .domain import OPEN_MATCH_STATUSES, MatchStatus, RequestStatus
from .schemas import AppointmentIn, CompleteIn, DeclineIn, HelpRequestOut, MatchOut, TaskLogOut

router = APIRouter(tags=["matches"])

StatusFilter = Annotated[
    list[MatchStatus] | None, Query(description="Only these statuses; default: open (proposed, accepted).")
]


def _now(request: Request) -> datetime:
    return request.app.state.runtime.clock.now()


def _read_match(request: Request, match_id: uuid.UUID) -> MatchOut:
    return MatchOut.of(queries.get_match(match_id, uow=request.app.state.runtime.unit_of_work()))


@router.get(
    "/help-requests", response_model=list[HelpRequestOut], tags=["help requests"], summary="Help requests, newest first"
)
def list_help_requests(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /help-requests")],
    status: Annotated[
        RequestStatus | None, Query(description="e.g. `unmatched`: the coordinator's to-do list.")
    ] = None,
    quarter_id: Annotated[QuarterId | None, Query(description="Only this quarter.")] = None,
) -> list[HelpRequestOut]:
    found = queries.list_help_requests(
        uow=request.app.state.runtime.unit_of_work(), status=status.value if status else None, quarter_id=quarter_id
    )
    return [HelpRequestOut.of(r) for r in found]


@router.get(
    "/help-requests/{help_request_id}",
    response_model=HelpRequestOut,
    tags=["help requests"],
    summary="A help request and its proposals",
)
def get_help_request(
    help_request_id: uuid.UUID,
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /help-requests/{help_request_id}")],
) -> HelpRequestOut:
    return HelpRequestOut.of(queries.get_help_request(help_request_id, uow=request.app.state.runtime.unit_of_work()))


@router.get("/matches", response_model=list[MatchOut], summary="Proposals, newest first")
def list_matches(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /matches")],
    help_request_id: Annotated[uuid.UUID | None, Query(description="Only for this help request.")] = None,
    volunteer_id: Annotated[uuid.UUID | None, Query(description="Only for this volunteer.")] = None,
    status: Annotated[list[MatchStatus] | None, Query(description="Only these statuses.")] = None,
) -> list[MatchOut]:
    found = queries.list_matches(
        uow=request.app.state.runtime.unit_of_work(),
        help_request_id=help_request_id,
        volunteer_id=volunteer_id,
        statuses=[s.value for s in status or ()],
    )
    return [MatchOut.of(m) for m in found]


@router.get("/matches/{match_id}", response_model=MatchOut, summary="One proposal")
def get_match(
    match_id: uuid.UUID, request: Request, principal: Annotated[Principal, POLICY.guard("GET /matches/{match_id}")]
) -> MatchOut:
    match = queries.get_match(match_id, uow=request.app.state.runtime.unit_of_work())
    access.check_sees_volunteer(principal, match.volunteer.account)
    return MatchOut.of(match)


NOT_OPEN = conflict("The proposal is no longer open (the answer names its current status)")


@router.post("/matches/{match_id}/accept", response_model=MatchOut, summary="Accept a proposal", responses=NOT_OPEN)
def accept(
    match_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /matches/{match_id}/accept")],
) -> MatchOut:
    handlers.accept_match(
        match_id,
        uow=request.app.state.runtime.unit_of_work(),
        principal=principal,
        now=_now(request),
        pseudonyms=request.app.state.matching.pseudonyms,
    )
    return _read_match(request, match_id)


@router.post(
    "/matches/{match_id}/decline",
    response_model=MatchOut,
    summary="Decline a proposal; the next volunteer is asked",
    responses=NOT_OPEN,
)
def decline(
    match_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /matches/{match_id}/decline")],
    body: DeclineIn | None = None,
) -> MatchOut:
    handlers.decline_match(
        match_id,
        body.reason if body else None,
        note=body.note if body else None,
        uow=request.app.state.runtime.unit_of_work(),
        principal=principal,
        policy=request.app.state.matching.policy,
        now=_now(request),
    )
    return _read_match(request, match_id)


@router.post(
    "/matches/{match_id}/complete",
    response_model=MatchOut,
    summary="Complete an accepted task, with its last hours",
    responses=conflict("The task was not accepted, or is completed already"),
)
def complete(
    match_id: uuid.UUID,
    body: CompleteIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /matches/{match_id}/complete")],
) -> MatchOut:
    handlers.complete_match(
        match_id,
        body.hours,
        worked_on=body.worked_on,
        source=body.source,
        uow=request.app.state.runtime.unit_of_work(),
        principal=principal,
        now=_now(request),
    )
    return _read_match(request, match_id)


def _volunteer_matches(request: Request, volunteer_id: uuid.UUID, status: list[MatchStatus] | None) -> list[MatchOut]:
    statuses = [s.value for s in (status or OPEN_MATCH_STATUSES)]
    found = queries.list_matches(
        uow=request.app.state.runtime.unit_of_work(), volunteer_id=volunteer_id, statuses=statuses
    )
    return [MatchOut.of(m) for m in found]


# declared before /volunteers/{volunteer_id}/matches, which would otherwise take "me" for an id
@router.get(
    "/volunteers/me/matches",
    response_model=list[MatchOut],
    tags=["volunteers"],
    summary="My proposals and tasks",
    responses={404: {"description": "No volunteer is linked to the caller's login"}},
)
def my_matches(
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /volunteers/me/matches")],
    status: StatusFilter = None,
) -> list[MatchOut]:
    me = volunteers.find_by_account(principal.subject, uow=request.app.state.runtime.unit_of_work())
    return _volunteer_matches(request, me.id, status)


@router.get(
    "/volunteers/{volunteer_id}/matches",
    response_model=list[MatchOut],
    tags=["volunteers"],
    summary="A volunteer's proposals and tasks",
)
def volunteer_matches(
    volunteer_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /volunteers/{volunteer_id}/matches")],
    status: StatusFilter = None,
) -> list[MatchOut]:
    volunteer = volunteers.get_volunteer(volunteer_id, uow=request.app.state.runtime.unit_of_work())
    access.check_sees_volunteer(principal, volunteer.account)
    return _volunteer_matches(request, volunteer_id, status)


@router.get(
    "/matches/{match_id}/log",
    response_model=list[TaskLogOut],
    summary="What was done on a task and by whom; marked where a coordinator acted for the volunteer",
)
def task_log_of(
    match_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /matches/{match_id}/log")],
) -> list[TaskLogOut]:
    runtime = request.app.state.runtime
    match = queries.get_match(match_id, uow=runtime.unit_of_work())
    access.check_sees_volunteer(principal, match.volunteer.account)
    with runtime.unit_of_work() as uow:
        return [TaskLogOut.model_validate(e, from_attributes=True) for e in task_log.entries(uow, match_id)]


@router.put(
    "/matches/{match_id}/appointment",
    response_model=MatchOut,
    summary="Note when the volunteer goes (after accepting): the reminder and the calendar feed use it",
    responses=conflict("The task is not accepted (the answer names its current status)"),
)
def set_appointment(
    match_id: uuid.UUID,
    body: AppointmentIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("PUT /matches/{match_id}/appointment")],
) -> MatchOut:
    appointment.set_appointment(
        match_id,
        body.starts_at,
        body.ends_at,
        uow=request.app.state.runtime.unit_of_work(),
        principal=principal,
        now=_now(request),
    )
    return _read_match(request, match_id)
