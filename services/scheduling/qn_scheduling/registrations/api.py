"""HTTP routes for registrations: translate, call a handler, translate back. Who may call each
route is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request, Response

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from ..access import POLICY
from ..sites.api import context
from . import handlers
from .schemas import CancelledOut, RegistrationIn, RegistrationOut, RegistrationsOut

router = APIRouter(tags=["registrations"])


@router.post(
    "/occurrences/{occurrence_id}/registrations",
    status_code=201,
    response_model=RegistrationOut,
    summary="Register for an occurrence with limited places (waitlisted when they are gone)",
    responses=conflict("The person is registered already"),
)
def register(
    occurrence_id: uuid.UUID,
    body: RegistrationIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /occurrences/{occurrence_id}/registrations")],
) -> RegistrationOut:
    runtime = request.app.state.runtime
    made = handlers.register(
        occurrence_id, places=body.places, person_ref=body.person_ref, uow=runtime.unit_of_work(),
        principal=principal, now=runtime.clock.now(),
    )  # fmt: skip
    response.headers["Location"] = f"/occurrences/{occurrence_id}/registrations"
    return RegistrationOut.of(made, context(request).tz)


@router.get(
    "/occurrences/{occurrence_id}/registrations",
    response_model=RegistrationsOut,
    summary="Places taken, free and waited for at an occurrence",
)
def list_registrations(
    occurrence_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /occurrences/{occurrence_id}/registrations")],
) -> RegistrationsOut:
    capacity, registrations = handlers.list_registrations(
        occurrence_id, uow=request.app.state.runtime.unit_of_work(), principal=principal
    )
    return RegistrationsOut.of(capacity, registrations, context(request).tz)


@router.post(
    "/registrations/{registration_id}/cancel",
    response_model=CancelledOut,
    summary="Cancel a registration; the waitlist moves up",
    responses=conflict("The registration is cancelled already"),
)
def cancel_registration(
    registration_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /registrations/{registration_id}/cancel")],
) -> CancelledOut:
    runtime, tz = request.app.state.runtime, context(request).tz
    cancelled, moved = handlers.cancel_registration(
        registration_id, uow=runtime.unit_of_work(), principal=principal, now=runtime.clock.now()
    )
    return CancelledOut(
        cancelled=RegistrationOut.of(cancelled, tz), moved_up=[RegistrationOut.of(r, tz) for r in moved]
    )
