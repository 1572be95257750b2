"""HTTP routes for early-warning signals and follow-up tasks: translate, call a handler, translate back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from qn_contracts.vocabulary import SignalType
from qn_infra.auth import Principal, Role, require

from ..concerns.domain import known_quarter
from ..context import intake_context
from ..queue.scope import acting_team, check_team_access, visible_team
from . import handlers, queries
from .schemas import FollowUpDoneIn, FollowUpOut, FollowUpPage, SignalIn, SignalOut, SignalPage

router = APIRouter(tags=["signals"])

REPORTERS = require(Role.TEAM_STAFF, Role.KUEMMERER, Role.COORDINATOR, Role.ADMIN)
STAFF = require(Role.TEAM_STAFF, Role.COORDINATOR, Role.ADMIN)

Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PageSize = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).")]
TeamId = Annotated[str | None, Query(max_length=64, description="Team; team staff see only their own.")]


@router.post("/signals", status_code=201, response_model=SignalOut, summary="Raise an early-warning signal")
def raise_signal(
    body: SignalIn, request: Request, response: Response, principal: Annotated[Principal, REPORTERS]
) -> SignalOut:
    """Staff or a Kümmerer report a warning sign; it becomes a follow-up task for the quarter's team."""
    command = handlers.ReportSignal(
        signal_type=body.signal_type,
        concern_id=body.concern_id,
        person_id=body.person_id,
        quarter_id=body.quarter_id,
        street=body.address.street if body.address else None,
        house_number=body.address.house_number if body.address else None,
        postcode=body.address.postcode if body.address else None,
        note=body.note,
    )
    runtime = request.app.state.runtime
    signal_id = handlers.report_signal(
        command,
        uow=runtime.unit_of_work(),
        ctx=intake_context(request),
        principal=principal,
        now=datetime.now(UTC),
    )
    response.headers["Location"] = f"/signals/{signal_id}"
    return _read_signal(request, signal_id, allowed_team=None)


@router.get("/signals", response_model=SignalPage, summary="Signals of a team, newest first")
def list_signals(
    request: Request,
    principal: Annotated[Principal, STAFF],
    team_id: TeamId = None,
    quarter_id: Annotated[str | None, Query(max_length=64)] = None,
    signal_type: Annotated[SignalType | None, Query(alias="type", description="Signal type.")] = None,
    page: Page = 1,
    page_size: PageSize = 25,
) -> SignalPage:
    city = intake_context(request).city
    team = visible_team(principal, team_id, city)
    if quarter_id is not None:
        known_quarter(quarter_id, city)
    now = datetime.now(UTC)
    with request.app.state.runtime.unit_of_work() as uow:
        found = queries.list_signals(
            uow.session, team_id=team, quarter_id=quarter_id, signal_type=signal_type, page=page, page_size=page_size
        )
        tasks = queries.follow_ups_of(uow.session, [s.id for s in found.items])
        items = [_signal_out(s, tasks.get(s.id), now) for s in found.items]
    return SignalPage(items=items, total=found.total, page=found.page, page_size=found.page_size)


@router.get("/signals/{signal_id}", response_model=SignalOut, summary="Read a signal and its follow-up")
def get_signal(signal_id: uuid.UUID, request: Request, principal: Annotated[Principal, STAFF]) -> SignalOut:
    return _read_signal(request, signal_id, allowed_team=acting_team(principal))


@router.get("/follow-ups", response_model=FollowUpPage, summary="Follow-up tasks of a team, earliest due first")
def list_follow_ups(
    request: Request,
    principal: Annotated[Principal, STAFF],
    team_id: TeamId = None,
    status: Annotated[Literal["open", "done"] | None, Query(description="open or done.")] = None,
    overdue: Annotated[
        bool | None, Query(description="true: only open tasks past their due date; false: the others.")
    ] = None,
    page: Page = 1,
    page_size: PageSize = 25,
) -> FollowUpPage:
    team = visible_team(principal, team_id, intake_context(request).city)
    now = datetime.now(UTC)
    with request.app.state.runtime.unit_of_work() as uow:
        found = queries.list_follow_ups(
            uow.session, team_id=team, status=status, overdue=overdue, now=now, page=page, page_size=page_size
        )
        items = [FollowUpOut.of(f, now) for f in found.items]
    return FollowUpPage(items=items, total=found.total, page=found.page, page_size=found.page_size)


@router.get("/follow-ups/{follow_up_id}", response_model=FollowUpOut, summary="Read a follow-up task")
def get_follow_up(follow_up_id: uuid.UUID, request: Request, principal: Annotated[Principal, STAFF]) -> FollowUpOut:
    with request.app.state.runtime.unit_of_work() as uow:
        follow_up = queries.get_follow_up(uow.session, follow_up_id)
        check_team_access(follow_up.team_id, acting_team(principal))
        return FollowUpOut.of(follow_up, datetime.now(UTC))


@router.post("/follow-ups/{follow_up_id}/done", response_model=FollowUpOut, summary="Complete a follow-up task")
def complete_follow_up(
    follow_up_id: uuid.UUID, body: FollowUpDoneIn, request: Request, principal: Annotated[Principal, STAFF]
) -> FollowUpOut:
    """Records how a follow-up ended (once: 409 afterwards). `contacted` needs the person's consent
    to follow-up contact (403 naming the missing consent otherwise)."""
    now = datetime.now(UTC)
    follow_up = handlers.complete_follow_up(
        follow_up_id,
        outcome=body.outcome.value,
        uow=request.app.state.runtime.unit_of_work(),
        done_by=principal.subject,
        allowed_team=acting_team(principal),
        now=now,
    )
    return FollowUpOut.of(follow_up, now)


def _read_signal(request: Request, signal_id: uuid.UUID, *, allowed_team: str | None) -> SignalOut:
    with request.app.state.runtime.unit_of_work() as uow:
        signal = queries.get_signal(uow.session, signal_id)
        check_team_access(signal.team_id, allowed_team)
        return _signal_out(signal, queries.follow_up_of(uow.session, signal.id), datetime.now(UTC))


def _signal_out(signal: object, follow_up: object | None, now: datetime) -> SignalOut:
    out = SignalOut.model_validate(signal)
    return out.model_copy(update={"follow_up": FollowUpOut.of(follow_up, now) if follow_up is not None else None})  # type: ignore[arg-type]
