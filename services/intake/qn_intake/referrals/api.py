"""HTTP routes for referrals, for carriers (role carrier, their organisation from the token's `org`
claim) and for teams (team_staff for their own team; coordinator and admin for every team)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_contracts.vocabulary import ReferralStatus
from qn_infra.auth import Principal, require

from . import access, handlers, queries
from .contact import read_contact
from .schemas import ContactOut, ReferralOut, ReferralPage, ReferralSummary, StatusChangeIn

router = APIRouter(prefix="/referrals", tags=["referrals"])

READERS = require(*access.READERS)


def _read(request: Request, referral_id: uuid.UUID, principal: Principal) -> ReferralOut:
    scope = access.scope_of(principal)
    with request.app.state.runtime.unit_of_work() as uow:
        referral, concern = queries.get_referral(uow.session, referral_id)
        access.check(scope, target_id=referral.target_id, team_id=concern.team_id)
        return ReferralOut.detail(referral, concern, datetime.now(UTC), as_carrier=scope.as_carrier)


@router.get("", response_model=ReferralPage, summary="Referrals I may see, soonest due first")
def list_referrals(
    request: Request,
    principal: Annotated[Principal, READERS],
    status: Annotated[list[ReferralStatus] | None, Query(description="Only these statuses (repeatable).")] = None,
    overdue: Annotated[bool | None, Query(description="true: only overdue; false: only not overdue.")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="Referrals per page.")] = 50,
) -> ReferralPage:
    scope = access.scope_of(principal)
    now = datetime.now(UTC)
    with request.app.state.runtime.unit_of_work() as uow:
        rows, total = queries.list_referrals(
            uow.session,
            scope,
            statuses=[s.value for s in status or ()],
            overdue=overdue,
            now=now,
            page=page,
            page_size=page_size,
        )
        items = [ReferralSummary.of(r, c, now) for r, c in rows]
    return ReferralPage(items=items, page=page, page_size=page_size, total=total)


@router.get("/{referral_id}", response_model=ReferralOut, summary="One referral and its history (no personal data)")
def get_referral(referral_id: uuid.UUID, request: Request, principal: Annotated[Principal, READERS]) -> ReferralOut:
    return _read(request, referral_id, principal)


@router.get(
    "/{referral_id}/contact",
    response_model=ContactOut,
    summary="The person's contact details: for the carrier only under consent; every read is audited",
)
def get_contact(referral_id: uuid.UUID, request: Request, principal: Annotated[Principal, READERS]) -> ContactOut:
    details = read_contact(
        request.app.state.runtime.unit_of_work(), referral_id, principal=principal, now=datetime.now(UTC)
    )
    return ContactOut.model_validate(details, from_attributes=True)


@router.post(
    "/{referral_id}/status",
    response_model=ReferralOut,
    summary="Answer or decide a referral: accept, reject, in progress, on hold, complete, fail, cancel",
)
def change_status(
    referral_id: uuid.UUID, body: StatusChangeIn, request: Request, principal: Annotated[Principal, READERS]
) -> ReferralOut:
    handlers.change_status(
        request.app.state.runtime.unit_of_work(),
        referral_id,
        to_status=body.to_status,
        reason=body.reason,
        decided_by=body.decided_by,
        note=body.note,
        principal=principal,
        now=datetime.now(UTC),
    )
    return _read(request, referral_id, principal)
