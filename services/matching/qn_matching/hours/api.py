"""HTTP routes for hours: the volunteer (or a coordinator for them) logs, a coordinator approves
or returns. Who may call each route is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..matches import queries
from . import handlers
from .domain import HoursStatus
from .schemas import HoursEntryOut, HoursIn, HoursSheetOut, ReturnIn

router = APIRouter(tags=["hours"])


def _sheet(request: Request, match_id: uuid.UUID) -> HoursSheetOut:
    with request.app.state.runtime.unit_of_work() as uow:
        entries, settlement = handlers.sheet(uow, match_id)
        return HoursSheetOut.of(match_id, entries, settlement)


@router.post(
    "/matches/{match_id}/hours",
    status_code=201,
    response_model=HoursSheetOut,
    summary="Log hours on a task (a coordinator: for the volunteer, or from a paper slip)",
    responses=conflict("The task is not accepted or completed, or its hours are settled"),
)
def log_hours(
    match_id: uuid.UUID,
    body: HoursIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /matches/{match_id}/hours")],
) -> HoursSheetOut:
    runtime = request.app.state.runtime
    handlers.log_hours(
        match_id,
        body.hours,
        worked_on=body.worked_on,
        source=body.source,
        uow=runtime.unit_of_work(),
        principal=principal,
        now=runtime.clock.now(),
    )
    return _sheet(request, match_id)


@router.get("/matches/{match_id}/hours", response_model=HoursSheetOut, summary="A task's hours")
def hours_of_task(
    match_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /matches/{match_id}/hours")],
) -> HoursSheetOut:
    match = queries.get_match(match_id, uow=request.app.state.runtime.unit_of_work())
    access.check_sees_volunteer(principal, match.volunteer.account)
    return _sheet(request, match_id)


@router.get("/hours", response_model=list[HoursEntryOut], summary="Hours entries; by default those awaiting approval")
def list_hours(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /hours")],
    status: Annotated[HoursStatus, Query(description="submitted (the approval queue), approved, returned.")] = (
        HoursStatus.SUBMITTED
    ),
) -> list[HoursEntryOut]:
    with request.app.state.runtime.unit_of_work() as uow:
        return [HoursEntryOut.model_validate(e) for e in handlers.queue(uow, status)]


DECIDED = conflict("The entry is decided already (the answer names its status)")


@router.post(
    "/hours/{entry_id}/approve", response_model=HoursSheetOut, summary="Approve an hours entry", responses=DECIDED
)
def approve(
    entry_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /hours/{entry_id}/approve")],
) -> HoursSheetOut:
    runtime = request.app.state.runtime
    match_id = handlers.approve(entry_id, uow=runtime.unit_of_work(), principal=principal, now=runtime.clock.now())
    return _sheet(request, match_id)


@router.post(
    "/hours/{entry_id}/return",
    response_model=HoursSheetOut,
    summary="Return an hours entry to the volunteer, with a reason",
    responses=DECIDED,
)
def return_entry(
    entry_id: uuid.UUID,
    body: ReturnIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /hours/{entry_id}/return")],
) -> HoursSheetOut:
    runtime = request.app.state.runtime
    match_id = handlers.return_entry(
        entry_id, body.reason, body.note, uow=runtime.unit_of_work(), principal=principal, now=runtime.clock.now()
    )
    return _sheet(request, match_id)
