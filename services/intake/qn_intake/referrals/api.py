"""HTTP routes for referrals, for carriers and offices (role carrier, their organisation from the
token's `org` claim) and for teams (team staff for their own team; coordinators and admins for
every team). Who sees what: `qn_intake.access`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..context import intake_context
from . import domain, handlers, queries
from .contact import read_contact
from .schemas import ContactOut, LegalBasisIn, NextStepIn, ReferralOut, ReferralPage, ReferralSummary, StatusChangeIn

router = APIRouter(prefix="/referrals", tags=["referrals"])


def _read(request: Request, referral_id: uuid.UUID, viewer: access.Viewer) -> ReferralOut:
    with request.app.state.runtime.unit_of_work() as uow:
        referral, concern = queries.get_referral(uow.session, referral_id)
        access.check_referral(viewer, referral, concern)
        now = request.app.state.runtime.clock.now()
        return ReferralOut.detail(referral, concern, now, as_carrier=viewer.carrier is not None)


@router.get("", response_model=ReferralPage, summary="Referrals I may see, soonest due first")
def list_referrals(
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /referrals")],
    status: Annotated[
        list[domain.ListedStatus] | None,
        Query(description="Only these statuses (repeatable); awaiting_consent: held in intake (team staff only)."),
    ] = None,
    overdue: Annotated[bool | None, Query(description="true: only overdue; false: only not overdue.")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200, description="Referrals per page.")] = 50,
) -> ReferralPage:
    viewer = access.viewer_of(principal)
    now = request.app.state.runtime.clock.now()
    with request.app.state.runtime.unit_of_work() as uow:
        rows, total = queries.list_referrals(
            uow.session,
            viewer,
            statuses=[s.value for s in status or ()],
            overdue=overdue,
            now=now,
            page=page,
            page_size=page_size,
        )
        items = [ReferralSummary.of(r, c, now) for r, c in rows]
    return ReferralPage(items=items, page=page, page_size=page_size, total=total)


@router.get("/{referral_id}", response_model=ReferralOut, summary="One referral and its history (no personal data)")
def get_referral(
    referral_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /referrals/{referral_id}")],
) -> ReferralOut:
    return _read(request, referral_id, access.viewer_of(principal))


@router.get(
    "/{referral_id}/contact",
    response_model=ContactOut,
    summary="The person's contact details: for the carrier only under consent or a stated legal basis; audited",
)
def get_contact(
    referral_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /referrals/{referral_id}/contact")],
) -> ContactOut:
    runtime = request.app.state.runtime
    details = read_contact(runtime.unit_of_work(), referral_id, principal=principal, now=runtime.clock.now())
    return ContactOut.model_validate(details, from_attributes=True)


@router.post(
    "/{referral_id}/status",
    response_model=ReferralOut,
    summary="Answer or decide a referral: accept, reject, in progress, on hold, complete, fail, cancel",
    responses=conflict("The status cannot follow the current one (the answer lists what can)"),
)
def change_status(
    referral_id: uuid.UUID,
    body: StatusChangeIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /referrals/{referral_id}/status")],
) -> ReferralOut:
    viewer = access.viewer_of(principal)
    runtime = request.app.state.runtime
    handlers.change_status(
        runtime.unit_of_work(),
        referral_id,
        to_status=body.to_status,
        reason=body.reason,
        decided_by=body.decided_by,
        note=body.note,
        viewer=viewer,
        now=runtime.clock.now(),
    )
    return _read(request, referral_id, viewer)


@router.post(
    "/{referral_id}/legal-basis",
    response_model=ReferralOut,
    summary="State the legal basis of a referral that awaits consent; it goes to its target at once",
    responses=conflict("The referral has already gone out"),
)
def state_legal_basis(
    referral_id: uuid.UUID,
    body: LegalBasisIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /referrals/{referral_id}/legal-basis")],
) -> ReferralOut:
    viewer = access.viewer_of(principal)
    runtime = request.app.state.runtime
    handlers.state_legal_basis(
        runtime.unit_of_work(),
        referral_id,
        basis=body.basis.value,
        note=body.note,
        viewer=viewer,
        city=intake_context(request).city,
        now=runtime.clock.now(),
    )
    return _read(request, referral_id, viewer)


@router.post(
    "/{referral_id}/next-step",
    response_model=ReferralOut,
    summary="After a decline or failure: record what the team does next (leaves the work queue)",
    responses=conflict("No next step is open: the referral was not declined, or one is recorded"),
)
def record_next_step(
    referral_id: uuid.UUID,
    body: NextStepIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /referrals/{referral_id}/next-step")],
) -> ReferralOut:
    viewer = access.viewer_of(principal)
    runtime = request.app.state.runtime
    handlers.record_next_step(
        runtime.unit_of_work(),
        referral_id,
        step=body.step.value,
        note=body.note,
        viewer=viewer,
        now=runtime.clock.now(),
    )
    return _read(request, referral_id, viewer)
