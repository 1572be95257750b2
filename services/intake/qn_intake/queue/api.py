"""The team's work queue over HTTP: what staff open every morning."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_infra.auth import Principal, Role, require

from ..context import intake_context
from . import domain, queries
from .schemas import QueueItemOut, QueueOut
from .scope import visible_team

router = APIRouter(tags=["queue"])

STAFF = require(Role.TEAM_STAFF, Role.COORDINATOR, Role.ADMIN)


@router.get("/queue", response_model=QueueOut, summary="The team's work queue")
def work_queue(
    request: Request,
    principal: Annotated[Principal, STAFF],
    team_id: Annotated[
        str | None, Query(max_length=64, description="Team; team staff see only their own (the default).")
    ] = None,
    kind: Annotated[domain.QueueKind | None, Query(description="concern, referral or follow_up.")] = None,
    status: Annotated[
        str | None, Query(max_length=30, description="open; for referrals requested, accepted, in_progress, on_hold.")
    ] = None,
    quarter_id: Annotated[str | None, Query(max_length=64)] = None,
    topic: Annotated[str | None, Query(max_length=64, description="Topic code.")] = None,
    overdue: Annotated[
        bool | None, Query(description="true: only items past their due date; false: only the others.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 25,
) -> QueueOut:
    """Open concerns of the team, its referrals still under way and its open follow-ups: escalated
    or overdue first, then by urgency (immediate, soon, plannable), then by due date."""
    city = intake_context(request).city
    team = visible_team(principal, team_id, city)
    queue_filter = domain.QueueFilter(kind=kind, status=status, quarter_id=quarter_id, topic=topic, overdue=overdue)
    domain.check_filter(queue_filter, city)
    now = datetime.now(UTC)
    with request.app.state.runtime.unit_of_work() as uow:
        found = queries.work_queue(
            uow.session, city, team_id=team, f=queue_filter, now=now, page=page, page_size=page_size
        )
    return QueueOut(
        team_id=team,
        items=[QueueItemOut.of(item, city, now) for item in found.items],
        total=found.total,
        page=page,
        page_size=page_size,
    )
