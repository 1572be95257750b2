"""Reading help requests and proposals back, for coordinators and volunteers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from qn_infra.unit_of_work import UnitOfWork

from . import domain
from .models import HelpRequest, Match


def get_help_request(help_request_id: uuid.UUID, *, uow: UnitOfWork) -> HelpRequest:
    """A help request with every proposal made for it."""
    with uow:
        request = uow.session.get(HelpRequest, help_request_id)
        if request is None:
            raise domain.help_request_not_found(help_request_id)
        _ = [(m.volunteer, m.help_request) for m in request.matches]  # load before the session closes
        uow.session.expunge_all()
        return request


def list_help_requests(
    *, uow: UnitOfWork, status: str | None = None, quarter_id: str | None = None, limit: int = 100
) -> list[HelpRequest]:
    """Help requests, newest first; `status=unmatched` is the coordinator's to-do list."""
    query = select(HelpRequest).order_by(HelpRequest.received_at.desc(), HelpRequest.id).limit(limit)
    if status:
        query = query.where(HelpRequest.status == status)
    if quarter_id:
        query = query.where(HelpRequest.quarter_id == quarter_id)
    with uow:
        requests = list(uow.session.scalars(query))
        _ = [(m.volunteer, m.help_request) for r in requests for m in r.matches]
        uow.session.expunge_all()
        return requests


def get_match(match_id: uuid.UUID, *, uow: UnitOfWork) -> Match:
    with uow:
        match = uow.session.get(Match, match_id)
        if match is None:
            raise domain.match_not_found(match_id)
        _ = match.help_request
        uow.session.expunge_all()
        return match


def list_matches(
    *,
    uow: UnitOfWork,
    help_request_id: uuid.UUID | None = None,
    volunteer_id: uuid.UUID | None = None,
    statuses: Sequence[str] = (),
    limit: int = 200,
) -> list[Match]:
    """Proposals, newest first, filtered by request, volunteer and status."""
    query = select(Match).order_by(Match.proposed_at.desc(), Match.attempt.desc()).limit(limit)
    if help_request_id:
        query = query.where(Match.help_request_id == help_request_id)
    if volunteer_id:
        query = query.where(Match.volunteer_id == volunteer_id)
    if statuses:
        query = query.where(Match.status.in_(list(statuses)))
    with uow:
        matches = list(uow.session.scalars(query))
        _ = [m.help_request for m in matches]
        uow.session.expunge_all()
        return matches
