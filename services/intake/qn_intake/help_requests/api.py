"""HTTP routes for neighbourly-help requests: the youth office asks for help for a minor, and the
team records its next step when matching found nobody."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request, Response

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..context import intake_context
from ..referrals.schemas import NextStepIn
from . import handlers
from .schemas import HelpAskIn, HelpRequestOut, VisitOut
from .visit import read_visit

router = APIRouter(tags=["help requests"])


@router.post(
    "/referrals/{referral_id}/help-request",
    status_code=201,
    response_model=HelpRequestOut,
    summary="The youth office asks for neighbourly help (once or weekly) on a concern referred to it",
    responses=conflict("The concern is closed"),
)
def ask_for_help(
    referral_id: uuid.UUID,
    body: HelpAskIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /referrals/{referral_id}/help-request")],
) -> HelpRequestOut:
    runtime = request.app.state.runtime
    help_request = handlers.ask_for_a_minor(
        runtime.unit_of_work(),
        referral_id,
        help_kind=body.help_kind,
        viewer=access.viewer_of(principal),
        city=intake_context(request).city,
        now=runtime.clock.now(),
        weekly_slot=body.weekly_slot.to_domain() if body.weekly_slot else None,
    )
    response.headers["Location"] = f"/concerns/{help_request.concern_id}"
    return HelpRequestOut.of(help_request)


@router.post(
    "/help-requests/{help_request_id}/next-step",
    response_model=HelpRequestOut,
    summary="After matching found nobody: record what the team does next (leaves the work queue)",
    responses=conflict("No next step is open: matching found someone, or one is recorded"),
)
def record_next_step(
    help_request_id: uuid.UUID,
    body: NextStepIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /help-requests/{help_request_id}/next-step")],
) -> HelpRequestOut:
    runtime = request.app.state.runtime
    help_request = handlers.record_next_step(
        runtime.unit_of_work(),
        help_request_id,
        step=body.step.value,
        note=body.note,
        viewer=access.viewer_of(principal),
        now=runtime.clock.now(),
    )
    return HelpRequestOut.of(help_request)


@router.get(
    "/help-requests/{help_request_id}/contact",
    response_model=VisitOut,
    summary="Whom to help and where: first name, address, phone -- for who accepted the task; audited",
    responses={
        403: {
            "description": "Not the caller's accepted task, the task ended, the consent is missing, or no "
            "pseudonym key is configured (the `reason` says which)"
        },
    },
)
def read_contact(
    help_request_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /help-requests/{help_request_id}/contact")],
) -> VisitOut:
    runtime = request.app.state.runtime
    visit = read_visit(
        runtime.unit_of_work(),
        help_request_id,
        principal=principal,
        pseudonyms=intake_context(request).pseudonyms,
        now=runtime.clock.now(),
    )
    return VisitOut.of(help_request_id, visit)
