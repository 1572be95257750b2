"""HTTP routes for consent: record it for a person, list it (audited), withdraw it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_infra.auth import Principal, Role, require

from ..context import intake_context
from ..persons.schemas import ReadPurpose
from . import domain, handlers
from .models import Consent
from .schemas import ConsentIn, ConsentOut, ConsentRecordedOut, ConsentWithdrawnOut

router = APIRouter(tags=["consent"])

STAFF = require(Role.TEAM_STAFF, Role.COORDINATOR, Role.ADMIN)


def _out(consent: Consent, now: datetime) -> dict[str, object]:
    data = ConsentOut.model_validate(consent).model_dump()
    data["active"] = domain.is_active(consent.withdrawn_at, consent.given_at, consent.expires_at, now)
    return data


@router.post(
    "/persons/{person_id}/consents",
    status_code=201,
    response_model=ConsentRecordedOut,
    summary="Record a person's consent",
)
def record_consent(
    person_id: uuid.UUID, body: ConsentIn, request: Request, response: Response, principal: Annotated[Principal, STAFF]
) -> ConsentRecordedOut:
    now = datetime.now(UTC)
    command = domain.GiveConsent(**body.model_dump())
    recorded = handlers.record_consent(
        request.app.state.runtime.unit_of_work(),
        person_id,
        command,
        recorded_by=principal.subject,
        city=intake_context(request).city,
        now=now,
    )
    response.headers["Location"] = f"/persons/{person_id}/consents"
    return ConsentRecordedOut(**_out(recorded.consent, now), released_help_requests=recorded.released_help_requests)


@router.get("/persons/{person_id}/consents", response_model=list[ConsentOut], summary="A person's consents (audited)")
def list_consents(
    person_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, STAFF],
    purpose: Annotated[ReadPurpose, Query(description="Why the data is read; written to the audit log.")] = "case_work",
) -> list[ConsentOut]:
    now = datetime.now(UTC)
    uow = request.app.state.runtime.unit_of_work()
    consents = handlers.list_consents(uow, person_id, principal=principal, purpose=purpose)
    return [ConsentOut(**_out(c, now)) for c in consents]


@router.post("/consents/{consent_id}/withdraw", response_model=ConsentWithdrawnOut, summary="Withdraw a consent")
def withdraw_consent(
    consent_id: uuid.UUID, request: Request, principal: Annotated[Principal, STAFF]
) -> ConsentWithdrawnOut:
    now = datetime.now(UTC)
    uow = request.app.state.runtime.unit_of_work()
    result = handlers.withdraw_consent(uow, consent_id, actor=principal.subject, now=now)
    return ConsentWithdrawnOut(
        **_out(result.consent, now),
        cancelled_help_requests=result.cancelled_help_requests,
        cancelled_referrals=result.cancelled_referrals,
        still_covered_by=result.still_covered_by,
    )
