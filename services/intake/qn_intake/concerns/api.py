"""HTTP routes for concerns: translate, call a handler, translate back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from qn_infra.auth import Principal, Role, require
from qn_infra.runtime import ServiceRuntime

from ..context import intake_context
from . import domain, handlers, idempotency, recording
from .schemas import CloseIn, ConcernIn, ConcernOut, ContactIn, ReferIn, ReopenIn

router = APIRouter(prefix="/concerns", tags=["concerns"])

STAFF = require(Role.TEAM_STAFF, Role.COORDINATOR, Role.ADMIN)
RECORDERS = require(Role.TEAM_STAFF, Role.KUEMMERER, Role.COORDINATOR, Role.ADMIN)


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
        contact_channel=body.contact_channel,
        language=body.language,
        overrides=tuple(domain.RoutingOverride(o.topic, o.target_id, o.reason) for o in body.referral_overrides),
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
    description="Send an `Idempotency-Key` header (a UUID, say) to make retries safe: the same key "
    "with the same body returns the first answer and records nothing new.",
)
def record_concern(
    body: ConcernIn,
    request: Request,
    principal: Annotated[Principal, RECORDERS],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    runtime = _runtime(request)
    claim = None
    if idempotency_key is not None:
        claim = idempotency.claim(principal.subject, idempotency_key, "POST /concerns", body.model_dump(mode="json"))
        replay = _replay(runtime, claim)
        if replay is not None:
            return replay
    try:
        concern = recording.record_concern(
            _command(body),
            uow=runtime.unit_of_work(),
            ctx=intake_context(request),
            recorded_by=principal.subject,
            claim=claim,
        )
    except IntegrityError:
        # the same key arrived twice at the same moment: the other request recorded it
        replay = _replay(runtime, claim) if claim else None
        if replay is None:
            raise
        return replay
    content = ConcernOut.model_validate(concern).model_dump(mode="json")
    if claim is not None:
        with runtime.unit_of_work() as uow:
            idempotency.store_response(uow.session, claim, content)
            uow.commit()
    return _created(concern.id, content, replayed=False)


def _replay(runtime: ServiceRuntime, claim: idempotency.Claim) -> JSONResponse | None:
    with runtime.unit_of_work() as uow:
        record = idempotency.earlier(uow.session, claim)
        if record is None:
            return None
        concern_id, stored = uuid.UUID(record.resource_id), record.response
    if stored is None:  # the first request died between recording and storing its answer
        stored = ConcernOut.model_validate(handlers.get_concern(concern_id, uow=runtime.unit_of_work())).model_dump(
            mode="json"
        )
    return _created(concern_id, stored, replayed=True)


@router.get("/{concern_id}", response_model=ConcernOut, summary="Read a concern with its referrals and history")
def get_concern(concern_id: uuid.UUID, request: Request, principal: Annotated[Principal, STAFF]) -> ConcernOut:
    return ConcernOut.model_validate(
        handlers.get_concern(concern_id, uow=_runtime(request).unit_of_work(), reader=principal)
    )


@router.post("/{concern_id}/close", response_model=ConcernOut, summary="Close a concern with an outcome")
def close_concern(
    concern_id: uuid.UUID, body: CloseIn, request: Request, principal: Annotated[Principal, STAFF]
) -> ConcernOut:
    runtime = _runtime(request)
    handlers.close_concern(concern_id, body.outcome, body.note, uow=runtime.unit_of_work(), actor=principal.subject)
    return ConcernOut.model_validate(handlers.get_concern(concern_id, uow=runtime.unit_of_work(), reader=principal))


@router.post("/{concern_id}/reopen", response_model=ConcernOut, summary="Reopen a closed concern")
def reopen_concern(
    concern_id: uuid.UUID, body: ReopenIn, request: Request, principal: Annotated[Principal, STAFF]
) -> ConcernOut:
    runtime = _runtime(request)
    handlers.reopen_concern(concern_id, body.note, uow=runtime.unit_of_work(), actor=principal.subject)
    return ConcernOut.model_validate(handlers.get_concern(concern_id, uow=runtime.unit_of_work(), reader=principal))


@router.post("/{concern_id}/contacts", status_code=204, summary="Note a contact (or attempt) with the person")
def record_contact(
    concern_id: uuid.UUID, body: ContactIn, request: Request, principal: Annotated[Principal, RECORDERS]
) -> Response:
    handlers.record_contact(
        concern_id,
        body.channel.value,
        body.reached,
        body.note,
        body.at,
        uow=_runtime(request).unit_of_work(),
        actor=principal.subject,
    )
    return Response(status_code=204)


@router.post(
    "/{concern_id}/referrals",
    status_code=201,
    response_model=ConcernOut,
    summary="Refer outside the routing table, with a reason",
)
def refer(concern_id: uuid.UUID, body: ReferIn, request: Request, principal: Annotated[Principal, STAFF]) -> ConcernOut:
    runtime = _runtime(request)
    override = domain.RoutingOverride(body.topic, body.target_id, body.reason)
    handlers.refer(
        concern_id,
        override,
        tuple(body.more_topics),
        uow=runtime.unit_of_work(),
        ctx=intake_context(request),
        actor=principal.subject,
    )
    return ConcernOut.model_validate(handlers.get_concern(concern_id, uow=runtime.unit_of_work(), reader=principal))
