"""The team's work queue over HTTP: what staff open every morning."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from qn_contracts.vocabulary import QuarterId
from qn_infra.auth import Principal

from .. import access
from ..access import POLICY
from ..context import intake_context
from . import domain, queries
from .schemas import QueueItemOut, QueueOut

router = APIRouter(tags=["queue"])


@router.get("/queue", response_model=QueueOut, summary="The team's work queue")
def work_queue(
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /queue")],
    team_id: Annotated[
        str | None,
        Query(
            max_length=64,
            pattern=r"^[a-z0-9][a-z0-9_.-]*$",
            description="Team; team staff see only their own (the default).",
        ),
    ] = None,
    kind: Annotated[domain.QueueKind | None, Query(description="concern, referral, follow_up or help_request.")] = None,
    status: Annotated[
        domain.QueueStatus | None,
        Query(
            description="open (concerns, follow-ups); for referrals awaiting_consent, requested, accepted, "
            "in_progress, on_hold, rejected, failed; for help requests needs_person, awaiting_consent, unmatched."
        ),
    ] = None,
    quarter_id: Annotated[QuarterId | None, Query()] = None,
    topic: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z][a-z0-9_]*$", description="Topic code.")] = None,
    overdue: Annotated[
        bool | None, Query(description="true: only items past their due date; false: only the others.")
    ] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 25,
) -> QueueOut:
    """Open concerns of the team, its referrals still under way (or waiting for consent, or
    declined without a next step), its open follow-ups and its help requests that wait or found
    nobody: escalated or overdue first, then by urgency (immediate, soon, plannable), then by due
    date."""
    city = intake_context(request).city
    team = access.visible_team(access.viewer_of(principal), team_id, city)
    queue_filter = domain.QueueFilter(
        kind=kind, status=status.value if status else None, quarter_id=quarter_id, topic=topic, overdue=overdue
    )
    domain.check_filter(queue_filter, city)
    now = request.app.state.runtime.clock.now()
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
