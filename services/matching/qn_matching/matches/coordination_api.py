"""HTTP routes for a coordinator's own moves on a help request: assign by hand, offer to several.
Thin: translate, call `coordination`, translate back. Who may call them is in `..access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from ..access import POLICY
from . import coordination, queries
from .schemas import AssignIn, MatchOut, OfferIn

router = APIRouter(tags=["help requests"])

NOT_OPEN = conflict("The help request is matched, completed or cancelled already (the answer names its status)")


@router.post(
    "/help-requests/{help_request_id}/assign",
    response_model=MatchOut,
    status_code=201,
    summary="Assign a volunteer by hand (an accepted task at once, on their behalf)",
    responses=NOT_OPEN,
)
def assign(
    help_request_id: uuid.UUID,
    body: AssignIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /help-requests/{help_request_id}/assign")],
) -> MatchOut:
    runtime, ctx = request.app.state.runtime, request.app.state.matching
    match_id = coordination.assign(
        help_request_id,
        body.volunteer_id,
        [o.value for o in body.overrides],
        uow=runtime.unit_of_work(),
        principal=principal,
        policy=ctx.policy,
        now=runtime.clock.now(),
        pseudonyms=ctx.pseudonyms,
    )
    return MatchOut.of(queries.get_match(match_id, uow=runtime.unit_of_work()))


@router.post(
    "/help-requests/{help_request_id}/offers",
    response_model=list[MatchOut],
    status_code=201,
    summary="Offer a help request to several volunteers at once: the first to accept gets it",
    responses=NOT_OPEN,
)
def offer(
    help_request_id: uuid.UUID,
    body: OfferIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /help-requests/{help_request_id}/offers")],
) -> list[MatchOut]:
    runtime, ctx = request.app.state.runtime, request.app.state.matching
    match_ids = coordination.offer_to_several(
        help_request_id,
        body.volunteer_ids,
        [o.value for o in body.overrides],
        uow=runtime.unit_of_work(),
        principal=principal,
        policy=ctx.policy,
        now=runtime.clock.now(),
    )
    return [MatchOut.of(queries.get_match(m, uow=runtime.unit_of_work())) for m in match_ids]
