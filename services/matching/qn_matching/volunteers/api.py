"""HTTP routes for volunteers: translate, call a handler, translate back. Who may call each
route, and what they see, is in `..access`."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_contracts.vocabulary import QuarterId, VolunteerStatus
from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from . import domain, handlers
from .schemas import StatusIn, VolunteerIn, VolunteerOut

router = APIRouter(prefix="/volunteers", tags=["volunteers"])


@router.post(
    "",
    status_code=201,
    response_model=VolunteerOut,
    summary="Register a volunteer (Ehrenamtliche)",
    responses=conflict("The account is already linked to another volunteer"),
)
def register_volunteer(
    body: VolunteerIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /volunteers")],
) -> VolunteerOut:
    command = domain.RegisterVolunteer(
        display_name=body.display_name,
        contact=body.contact,
        account=body.account,
        quarter_id=body.quarter_id,
        skills=tuple(dict.fromkeys(body.skills)),
        languages=tuple(dict.fromkeys(body.languages)),
        availability=tuple(
            domain.Slot(s.weekday, time.fromisoformat(s.starts), time.fromisoformat(s.ends)) for s in body.availability
        ),
    )
    ctx = request.app.state.matching
    runtime = request.app.state.runtime
    volunteer_id = handlers.register_volunteer(
        command,
        uow=runtime.unit_of_work(),
        city=ctx.city,
        known_skills=ctx.skills,
        registered_by=principal.subject,
        now=runtime.clock.now(),
    )
    response.headers["Location"] = f"/volunteers/{volunteer_id}"
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))


@router.get("", response_model=list[VolunteerOut], summary="Volunteers, in registration order")
def list_volunteers(
    request: Request,
    _: Annotated[Principal, POLICY.guard("GET /volunteers")],
    quarter_id: Annotated[QuarterId | None, Query(description="Only this quarter.")] = None,
    status: Annotated[VolunteerStatus | None, Query(description="Only this status.")] = None,
) -> list[VolunteerOut]:
    volunteers = handlers.list_volunteers(
        uow=request.app.state.runtime.unit_of_work(), quarter_id=quarter_id, status=status.value if status else None
    )
    return [VolunteerOut.model_validate(v) for v in volunteers]


@router.get("/{volunteer_id}", response_model=VolunteerOut, summary="One volunteer")
def get_volunteer(
    volunteer_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /volunteers/{volunteer_id}")],
) -> VolunteerOut:
    volunteer = handlers.get_volunteer(volunteer_id, uow=request.app.state.runtime.unit_of_work())
    access.check_sees_volunteer(principal, volunteer.account)
    return VolunteerOut.model_validate(volunteer)


@router.post(
    "/{volunteer_id}/status",
    response_model=VolunteerOut,
    summary="Pause, reactivate or end an engagement",
    responses=conflict("The current status cannot change to this one (the answer lists what can)"),
)
def change_status(
    volunteer_id: uuid.UUID,
    body: StatusIn,
    request: Request,
    _: Annotated[Principal, POLICY.guard("POST /volunteers/{volunteer_id}/status")],
) -> VolunteerOut:
    runtime = request.app.state.runtime
    handlers.change_status(
        volunteer_id, VolunteerStatus(body.status.value), uow=runtime.unit_of_work(), now=runtime.clock.now()
    )
    return VolunteerOut.model_validate(handlers.get_volunteer(volunteer_id, uow=runtime.unit_of_work()))
