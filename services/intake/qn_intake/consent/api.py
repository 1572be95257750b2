"""HTTP routes for consent: record it for a person, list it (audited), withdraw it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..context import intake_context
from ..persons.schemas import ReadPurpose
from . import domain, handlers
from .models import Consent
from .schemas import ConsentIn, ConsentOut, ConsentRecordedOut, ConsentWithdrawnOut

router = APIRouter(tags=["consent"])


def _out(consent: Consent, now: datetime) -> dict[str, object]:
    data = ConsentOut.model_validate(consent).model_dump()
    data["active"] = domain.is_active(consent.withdrawn_at, consent.given_at, consent.expires_at, now)
    return data


@router.post(
    "/persons/{person_id}/consents",
    status_code=201,
    response_model=ConsentRecordedOut,
    summary="Record a person's consent; what waited for it goes on",
)
def record_consent(
    person_id: uuid.UUID,
    body: ConsentIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, POLICY.guard("POST /persons/{person_id}/consents")],
) -> ConsentRecordedOut:
    runtime = request.app.state.runtime
    now = runtime.clock.now()
    ctx = intake_context(request)
    recorded = handlers.record_consent(
        runtime.unit_of_work(),
        person_id,
        domain.GiveConsent(**body.model_dump()),
        viewer=access.viewer_of(principal),
        city=ctx.city,
        bus=ctx.bus,
        now=now,
    )
    response.headers["Location"] = f"/persons/{person_id}/consents"
    return ConsentRecordedOut(
        **_out(recorded.consent, now),
        released_help_requests=recorded.released_help_requests,
        released_referrals=recorded.released_referrals,
    )


@router.get("/persons/{person_id}/consents", response_model=list[ConsentOut], summary="A person's consents (audited)")
def list_consents(
    person_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /persons/{person_id}/consents")],
    purpose: Annotated[ReadPurpose, Query(description="Why the data is read; written to the audit log.")] = "case_work",
) -> list[ConsentOut]:
    runtime = request.app.state.runtime
    now = runtime.clock.now()
    consents = handlers.list_consents(
        runtime.unit_of_work(), person_id, principal=principal, viewer=access.viewer_of(principal), purpose=purpose
    )
    return [ConsentOut(**_out(c, now)) for c in consents]


@router.post(
    "/consents/{consent_id}/withdraw",
    response_model=ConsentWithdrawnOut,
    summary="Withdraw a consent",
    responses=conflict("The consent was withdrawn already"),
)
def withdraw_consent(
    consent_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /consents/{consent_id}/withdraw")],
) -> ConsentWithdrawnOut:
    runtime = request.app.state.runtime
    now = runtime.clock.now()
    result = handlers.withdraw_consent(
        runtime.unit_of_work(),
        consent_id,
        viewer=access.viewer_of(principal),
        bus=intake_context(request).bus,
        now=now,
    )
    return ConsentWithdrawnOut(
        **_out(result.consent, now),
        cancelled_help_requests=result.cancelled_help_requests,
        cancelled_referrals=result.cancelled_referrals,
        still_covered_by=result.still_covered_by,
    )
