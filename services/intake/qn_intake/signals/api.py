"""HTTP routes for early-warning signals and follow-up tasks: translate, call a handler, translate back."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_contracts.vocabulary import QuarterId, SignalType
from qn_infra.auth import Principal
from qn_infra.openapi_problems import conflict

from .. import access
from ..access import POLICY
from ..concerns.domain import known_quarter
from ..context import intake_context
from . import handlers, queries
from .schemas import FollowUpDoneIn, FollowUpOut, FollowUpPage, SignalIn, SignalOut, SignalPage

router = APIRouter(tags=["signals"])


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


Page = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PageSize = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).")]
TeamId = Annotated[
    str | None,
    Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$", description="Team; team staff see only their own."),
]


@router.post("/signals", status_code=201, response_model=SignalOut, summary="Raise an early-warning signal")
def raise_signal(
    body: SignalIn, request: Request, response: Response, principal: Annotated[Principal, POLICY.guard("POST /signals")]
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
        now=runtime.clock.now(),
    )
    response.headers["Location"] = f"/signals/{signal_id}"
    return _read_signal(request, signal_id, None)


@router.get(
    "/signals",
    response_model=SignalPage,
    summary="Signals of a team, newest first (for a Kümmerer: the signals they raised)",
)
def list_signals(
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /signals")],
    team_id: TeamId = None,
    quarter_id: Annotated[QuarterId | None, Query()] = None,
    signal_type: Annotated[SignalType | None, Query(alias="type", description="Signal type.")] = None,
    page: Page = 1,
    page_size: PageSize = 25,
) -> SignalPage:
    city = intake_context(request).city
    viewer = access.viewer_of(principal)
    raised_by = None
    if viewer.kuemmerer:
        if team_id is not None:
            access.visible_team(viewer, team_id, city)  # refused: a Kümmerer lists only their own
        team, raised_by = None, viewer.subject
    else:
        team = access.visible_team(viewer, team_id, city)
    if quarter_id is not None:
        known_quarter(quarter_id, city)
    now = request.app.state.runtime.clock.now()
    with request.app.state.runtime.unit_of_work() as uow:
        found = queries.list_signals(
            uow.session,
            team_id=team,
            raised_by=raised_by,
            quarter_id=quarter_id,
            signal_type=signal_type,
            page=page,
            page_size=page_size,
        )
        tasks = queries.follow_ups_of(uow.session, [s.id for s in found.items])
        items = [_signal_out(s, tasks.get(s.id), now, team_notes=not viewer.kuemmerer) for s in found.items]
    return SignalPage(items=items, total=found.total, page=found.page, page_size=found.page_size)


@router.get("/signals/{signal_id}", response_model=SignalOut, summary="Read a signal and what became of it")
def get_signal(
    signal_id: uuid.UUID, request: Request, principal: Annotated[Principal, POLICY.guard("GET /signals/{signal_id}")]
) -> SignalOut:
    return _read_signal(request, signal_id, access.viewer_of(principal))


@router.get("/follow-ups", response_model=FollowUpPage, summary="Follow-up tasks of a team, earliest due first")
def list_follow_ups(
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /follow-ups")],
    team_id: TeamId = None,
    status: Annotated[FollowUpStatus | None, Query(description="open or done.")] = None,
    overdue: Annotated[
        bool | None, Query(description="true: only open tasks past their due date; false: the others.")
    ] = None,
    page: Page = 1,
    page_size: PageSize = 25,
) -> FollowUpPage:
    team = access.visible_team(access.viewer_of(principal), team_id, intake_context(request).city)
    now = request.app.state.runtime.clock.now()
    with request.app.state.runtime.unit_of_work() as uow:
        found = queries.list_follow_ups(
            uow.session,
            team_id=team,
            status=status.value if status else None,
            overdue=overdue,
            now=now,
            page=page,
            page_size=page_size,
        )
        items = [FollowUpOut.of(f, now) for f in found.items]
    return FollowUpPage(items=items, total=found.total, page=found.page, page_size=found.page_size)


@router.get("/follow-ups/{follow_up_id}", response_model=FollowUpOut, summary="Read a follow-up task")
def get_follow_up(
    follow_up_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /follow-ups/{follow_up_id}")],
) -> FollowUpOut:
    with request.app.state.runtime.unit_of_work() as uow:
        follow_up = queries.get_follow_up(uow.session, follow_up_id)
        access.check_team(follow_up.team_id, access.acting_team(access.viewer_of(principal)))
        return FollowUpOut.of(follow_up, request.app.state.runtime.clock.now())


@router.post(
    "/follow-ups/{follow_up_id}/done",
    response_model=FollowUpOut,
    summary="Complete a follow-up task",
    responses=conflict("The task is done already"),
)
def complete_follow_up(
    follow_up_id: uuid.UUID,
    body: FollowUpDoneIn,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("POST /follow-ups/{follow_up_id}/done")],
) -> FollowUpOut:
    """Records how a follow-up ended (once: 409 afterwards). `contacted` needs the person's consent
    to follow-up contact (403 naming the missing consent otherwise)."""
    now = request.app.state.runtime.clock.now()
    follow_up = handlers.complete_follow_up(
        follow_up_id,
        outcome=body.outcome.value,
        note=body.note,
        uow=request.app.state.runtime.unit_of_work(),
        done_by=principal.subject,
        allowed_team=access.acting_team(access.viewer_of(principal)),
        now=now,
    )
    return FollowUpOut.of(follow_up, now)


def _read_signal(request: Request, signal_id: uuid.UUID, viewer: access.Viewer | None) -> SignalOut:
    """A signal with its follow-up; `viewer` None: the one who just raised it."""
    with request.app.state.runtime.unit_of_work() as uow:
        signal = queries.get_signal(uow.session, signal_id)
        if viewer is not None:
            access.check_signal(viewer, signal)
        now = request.app.state.runtime.clock.now()
        team_notes = viewer is None or not viewer.kuemmerer
        return _signal_out(signal, queries.follow_up_of(uow.session, signal.id), now, team_notes=team_notes)


def _signal_out(signal: object, follow_up: object | None, now: datetime, *, team_notes: bool) -> SignalOut:
    """A signal with its follow-up; a Kümmerer sees how it ended, not the team's note on it."""
    out = SignalOut.model_validate(signal)
    task = FollowUpOut.of(follow_up, now) if follow_up is not None else None  # type: ignore[arg-type]
    if task is not None and not team_notes:
        task = task.model_copy(update={"note": None})
    return out.model_copy(update={"follow_up": task})
