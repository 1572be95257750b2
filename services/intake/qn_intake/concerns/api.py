"""HTTP routes for concerns: translate, call a handler, translate back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict
from qn_infra.runtime import ServiceRuntime

from .. import access
from ..access import POLICY
from ..context import intake_context
from . import domain, handlers, idempotency, recording
from .schemas import CloseIn, ConcernIn, ConcernOut, ContactIn, PersonLinkIn, ReferIn, ReopenIn

router = APIRouter(prefix="/concerns", tags=["concerns"])


def _runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def _command(body: ConcernIn) -> domain.RecordConcern:
    return domain.RecordConcern(
        channel=body.channel,
        topics=tuple(dict.fromkeys(body.topics)),
        urgency=body.urgency,
        person_id=body.person_id,
        address=domain.AddressInput(**body.address.model_dump()) if body.address else None,
        location=domain.Location(**body.location.model_dump()) if body.location else None,
        quarter_id=body.quarter_id,
        age_band=body.age_band,
        help_kind=body.help_kind,
        weekly_slot=body.weekly_slot.to_domain() if body.weekly_slot else None,
        contact_channel=body.contact_channel,
        language=body.language,
        overrides=tuple(domain.RoutingOverride(o.topic, o.target_id, o.reason) for o in body.referral_overrides),
        legal_bases=tuple(domain.StatedLegalBasis(b.target_id, b.basis.value, b.note) for b in body.legal_bases),
        note=body.note,
    )


def _created(concern_id: uuid.UUID, content: dict[str, object], *, replayed: bool) -> JSONResponse:
    headers = {"Location": f"/concerns/{concern_id}"}
    if replayed:
        headers["Idempotency-Replayed"] = "true"
    return JSONResponse(content, status_code=201, headers=headers)


@router.post(
    "",
    status_code=201,
    response_model=ConcernOut,
    summary="Record a concern (Anliegen)",
    responses=conflict("The Idempotency-Key was already used for a different request"),
    description="Send an `Idempotency-Key` header (a UUID, say) to make retries safe: the same key "
    "with the same body returns the first answer and records nothing new.",
)
def record_concern(
    body: ConcernIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /concerns")],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    runtime = _runtime(request)
    claim = None
    if idempotency_key is not None:
        claim = idempotency.claim(principal.subject, idempotency_key, "POST /concerns", body.model_dump(mode="json"))
        replay = _replay(runtime, claim, principal)
        if replay is not None:
            return replay
    try:
        concern = recording.record_concern(
            _command(body),
            uow=runtime.unit_of_work(),
            ctx=intake_context(request),
            viewer=access.viewer_of(principal),
            now=runtime.clock.now(),
            claim=claim,
        )
    except IntegrityError:
        # the same key arrived twice at the same moment: the other request recorded it
        replay = _replay(runtime, claim, principal) if claim else None
        if replay is None:
            raise
        return replay
    content = ConcernOut.model_validate(concern).model_dump(mode="json")
    if claim is not None:
        with runtime.unit_of_work() as uow:
            idempotency.store_response(uow.session, claim, content)
            uow.commit()
    return _created(concern.id, content, replayed=False)


def _replay(runtime: ServiceRuntime, claim: idempotency.Claim, principal: Principal) -> JSONResponse | None:
    with runtime.unit_of_work() as uow:
        record = idempotency.earlier(uow.session, claim)
        if record is None:
            return None
        concern_id, stored = uuid.UUID(record.resource_id), record.response
    if stored is None:  # the first request died between recording and storing its answer
        concern = handlers.get_concern(concern_id, uow=runtime.unit_of_work(), principal=principal, as_recorder=True)
        stored = ConcernOut.model_validate(concern).model_dump(mode="json")
    return _created(concern_id, stored, replayed=True)


@router.get("/{concern_id}", response_model=ConcernOut, summary="Read a concern with its referrals and history")
def get_concern(
    concern_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /concerns/{concern_id}")],
) -> ConcernOut:
    return ConcernOut.model_validate(
        handlers.get_concern(concern_id, uow=_runtime(request).unit_of_work(), principal=principal)
    )


def _read_back(request: Request, concern_id: uuid.UUID, principal: Principal) -> ConcernOut:
    return get_concern(concern_id, request, principal)


@router.post(
    "/{concern_id}/close",
    response_model=ConcernOut,
    summary="Close a concern with an outcome",
    responses=conflict("The concern is already closed"),
)
def close_concern(
    concern_id: uuid.UUID,
    body: CloseIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /concerns/{concern_id}/close")],
) -> ConcernOut:
    runtime = _runtime(request)
    handlers.close_concern(
        concern_id,
        body.outcome.value,
        body.note,
        uow=runtime.unit_of_work(),
        viewer=access.viewer_of(principal),
        bus=intake_context(request).bus,
        now=runtime.clock.now(),
    )
    return _read_back(request, concern_id, principal)


@router.post(
    "/{concern_id}/reopen",
    response_model=ConcernOut,
    summary="Reopen a closed concern",
    responses=conflict("The concern is open"),
)
def reopen_concern(
    concern_id: uuid.UUID,
    body: ReopenIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /concerns/{concern_id}/reopen")],
) -> ConcernOut:
    runtime = _runtime(request)
    handlers.reopen_concern(
        concern_id, body.note, uow=runtime.unit_of_work(), viewer=access.viewer_of(principal), now=runtime.clock.now()
    )
    return _read_back(request, concern_id, principal)


@router.post("/{concern_id}/contacts", status_code=204, summary="Note a contact (or attempt) with the person")
def record_contact(
    concern_id: uuid.UUID,
    body: ContactIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /concerns/{concern_id}/contacts")],
) -> Response:
    runtime = _runtime(request)
    handlers.record_contact(
        concern_id,
        body.channel.value,
        body.reached,
        body.note,
        body.at,
        uow=runtime.unit_of_work(),
        viewer=access.viewer_of(principal),
        now=runtime.clock.now(),
    )
    return Response(status_code=204)


@router.post(
    "/{concern_id}/referrals",
    status_code=201,
    response_model=ConcernOut,
    summary="Refer outside the routing table, with a reason",
)
def refer(
    concern_id: uuid.UUID,
    body: ReferIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /concerns/{concern_id}/referrals")],
) -> ConcernOut:
    runtime = _runtime(request)
    handlers.refer(
        concern_id,
        domain.RoutingOverride(body.topic, body.target_id, body.reason),
        tuple(body.more_topics),
        (body.legal_basis.basis.value, body.legal_basis.note) if body.legal_basis else None,
        uow=runtime.unit_of_work(),
        ctx=intake_context(request),
        viewer=access.viewer_of(principal),
        now=runtime.clock.now(),
    )
    return _read_back(request, concern_id, principal)


@router.put(
    "/{concern_id}/person",
    response_model=ConcernOut,
    summary="Name the person of an anonymous concern; help that waited for a person moves on",
    responses=conflict("The concern names a person already, or the person is a minor (a concern of their own)"),
)
def link_person(
    concern_id: uuid.UUID,
    body: PersonLinkIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("PUT /concerns/{concern_id}/person")],
) -> ConcernOut:
    runtime = _runtime(request)
    handlers.link_person(
        concern_id,
        body.person_id,
        uow=runtime.unit_of_work(),
        ctx=intake_context(request),
        viewer=access.viewer_of(principal),
        now=runtime.clock.now(),
    )
    return _read_back(request, concern_id, principal)
