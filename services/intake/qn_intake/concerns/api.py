"""HTTP routes for concerns: translate, call a handler, translate back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request, Response

from qn_infra.auth import Principal, Role, require

from ..context import intake_context
from . import domain, handlers
from .schemas import ConcernIn, ConcernOut

router = APIRouter(prefix="/concerns", tags=["concerns"])

STAFF = require(Role.TEAM_STAFF, Role.COORDINATOR, Role.ADMIN)


@router.post("", status_code=201, response_model=ConcernOut, summary="Record a concern (Anliegen)")
def record_concern(
    body: ConcernIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, STAFF],
) -> ConcernOut:
    command = domain.RecordConcern(
        channel=body.channel,
        topics=tuple(dict.fromkeys(body.topics)),
        urgency=body.urgency,
        address=domain.AddressInput(**body.address.model_dump()) if body.address else None,
        quarter_id=body.quarter_id,
        age_band=body.age_band,
        help_kind=body.help_kind,
        note=body.note,
    )
    runtime = request.app.state.runtime
    concern_id = handlers.record_concern(
        command, uow=runtime.unit_of_work(), ctx=intake_context(request), recorded_by=principal.subject
    )
    response.headers["Location"] = f"/concerns/{concern_id}"
    return ConcernOut.model_validate(handlers.get_concern(concern_id, uow=runtime.unit_of_work()))


@router.get("/{concern_id}", response_model=ConcernOut, summary="Read a concern back")
def get_concern(concern_id: uuid.UUID, request: Request, _: Annotated[Principal, STAFF]) -> ConcernOut:
    concern = handlers.get_concern(concern_id, uow=request.app.state.runtime.unit_of_work())
    return ConcernOut.model_validate(concern)
