"""Use cases for help requests and their proposals: one verb per function.

Every change to a request's proposals runs with the match row locked (SELECT ... FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so an answer and the expiry job cannot both act on one
proposal, and the unique (request, attempt) key stops two replicas proposing twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from qn_contracts import EventMeta
from qn_contracts.intake import HelpRequested
from qn_contracts.matching import (
    AssignmentCompleted,
    HelpRequestUnmatched,
    MatchAccepted,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
)
from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..volunteers.models import Volunteer
from . import domain
from .domain import DeclineReason, MatchStatus, RequestStatus, UnmatchedReason
from .models import HelpRequest, Match

log = get_logger(__name__)


@dataclass(frozen=True)
class MatchingPolicy:
    offer_timeout: timedelta
    timezone: ZoneInfo


def receive_help_request(
    event: HelpRequested, meta: EventMeta, uow: UnitOfWork, *, policy: MatchingPolicy, now: datetime
) -> None:
    """Stores a help request from intake and asks the best volunteer. The consumer commits."""
    if uow.session.get(HelpRequest, event.help_request_id) is not None:
        # a second event for a known request (e.g. re-published under a new id): no second proposal
        log.info("help_request_already_known", help_request_id=str(event.help_request_id), event_id=str(meta.id))
        return
    request = HelpRequest(
        id=event.help_request_id,
        concern_id=event.concern_id,
        person_ref=event.person_ref,
        quarter_id=event.quarter_id,
        help_kind=event.help_kind,
        skills=sorted(set(event.skills)),
        languages=list(dict.fromkeys(event.languages)),
        urgency=event.urgency.value,
        wanted_by=event.wanted_by,
        status=RequestStatus.PROPOSED.value,
        requested_event_id=str(meta.id),
        received_at=now,
        updated_at=now,
    )
    uow.session.add(request)
    if not domain.may_propose_for(event.age_band.value if event.age_band else None, event.asked_by):
        _unmatched(request, UnmatchedReason.MINOR_WITHOUT_YOUTH_OFFICE, uow=uow)
        return
    propose_next(request, uow=uow, policy=policy, now=now, reason_if_nobody=UnmatchedReason.NO_CANDIDATES)


def _candidates(uow: UnitOfWork, quarter_id: str) -> tuple[list[domain.Candidate], dict[uuid.UUID, Volunteer]]:
    volunteers = list(
        uow.session.scalars(
            select(Volunteer).where(
                Volunteer.quarter_id == quarter_id, Volunteer.status == VolunteerStatus.ACTIVE.value
            )
        )
    )
    load_query = (
        select(Match.volunteer_id, func.count())
        .where(Match.status.in_([s.value for s in domain.OPEN_MATCH_STATUSES]))
        .where(Match.volunteer_id.in_([v.id for v in volunteers]))
        .group_by(Match.volunteer_id)
    )
    load: dict[uuid.UUID, int] = {row[0]: row[1] for row in uow.session.execute(load_query)}
    candidates = [
        domain.Candidate(
            volunteer_id=v.id,
            status=VolunteerStatus(v.status),
            quarter_id=v.quarter_id,
            skills=frozenset(v.skills),
            languages=frozenset(v.languages),
            slots=v.slots,
            open_matches=load.get(v.id, 0),
            registered_at=v.registered_at,
        )
        for v in volunteers
    ]
    return candidates, {v.id: v for v in volunteers}


def _unmatched(request: HelpRequest, reason: UnmatchedReason, *, uow: UnitOfWork) -> None:
    """Nobody is asked: the request goes back to intake's team (and to the coordinator here)."""
    request.status = RequestStatus.UNMATCHED.value
    request.unmatched_reason = reason.value
    uow.emit(
        HelpRequestUnmatched(
            help_request_id=request.id, quarter_id=request.quarter_id, help_kind=request.help_kind, reason=reason.value
        )
    )
    log.info("help_request_unmatched", help_request_id=str(request.id), reason=reason.value)


def propose_next(
    request: HelpRequest, *, uow: UnitOfWork, policy: MatchingPolicy, now: datetime, reason_if_nobody: UnmatchedReason
) -> Match | None:
    """Asks the best volunteer not asked before, or hands the request to the coordinator."""
    need = domain.Need(request.quarter_id, request.help_kind, frozenset(request.skills), tuple(request.languages))
    candidates, volunteers = _candidates(uow, request.quarter_id)
    asked = [m.volunteer_id for m in request.matches]
    best = domain.choose_next(candidates, need, now, policy.timezone, asked=asked)
    request.updated_at = now
    if best is None:
        _unmatched(request, reason_if_nobody, uow=uow)
        return None
    volunteer = volunteers[best.candidate.volunteer_id]
    match = Match(
        id=uuid.uuid4(),
        volunteer=volunteer,
        attempt=max((m.attempt for m in request.matches), default=0) + 1,
        score=best.score,
        status=MatchStatus.PROPOSED.value,
        proposed_at=now,
        expires_at=now + policy.offer_timeout,
    )
    request.matches.append(match)
    request.status = RequestStatus.PROPOSED.value
    request.unmatched_reason = None
    uow.emit(
        MatchProposed(
            match_id=match.id,
            help_request_id=request.id,
            volunteer_ref=volunteer.volunteer_ref,
            quarter_id=request.quarter_id,
            help_kind=request.help_kind,
            score=match.score,
            attempt=match.attempt,
            expires_at=match.expires_at,
        )
    )
    log.info("match_proposed", match_id=str(match.id), help_request_id=str(request.id), attempt=match.attempt)
    return match


def _locked_match(uow: UnitOfWork, match_id: uuid.UUID) -> Match:
    # OF matches: the volunteer row joined in is only read; locking it too could deadlock with a
    # concurrent proposal whose foreign key to that volunteer takes a share lock
    match = uow.session.get(Match, match_id, with_for_update={"of": Match}, populate_existing=True)
    if match is None:
        raise domain.match_not_found(match_id)
    return match


def accept_match(match_id: uuid.UUID, *, uow: UnitOfWork, principal: Principal, now: datetime) -> None:
    """The volunteer takes on the task (or a coordinator for them)."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        domain.check_open(MatchStatus(match.status), MatchStatus.PROPOSED)
        match.status = MatchStatus.ACCEPTED.value
        match.answered_at, match.answered_by = now, principal.subject
        request = match.help_request
        request.status, request.updated_at = RequestStatus.MATCHED.value, now
        uow.emit(MatchAccepted(**_match_fields(match)))
        uow.commit()
    log.info("match_accepted", match_id=str(match_id), help_request_id=str(match.help_request_id))


def decline_match(
    match_id: uuid.UUID,
    reason: DeclineReason | None,
    *,
    note: str | None = None,
    uow: UnitOfWork,
    principal: Principal,
    policy: MatchingPolicy,
    now: datetime,
) -> None:
    """The volunteer cannot help; the next-best volunteer is asked in the same transaction."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        domain.check_open(MatchStatus(match.status), MatchStatus.PROPOSED)
        match.status = MatchStatus.DECLINED.value
        match.answered_at, match.answered_by = now, principal.subject
        match.decline_reason, match.decline_note = (reason.value if reason else None), note
        uow.emit(MatchDeclined(**_match_fields(match), reason=match.decline_reason))
        propose_next(match.help_request, uow=uow, policy=policy, now=now, reason_if_nobody=UnmatchedReason.ALL_DECLINED)
        uow.commit()
    log.info("match_declined", match_id=str(match_id), reason=match.decline_reason)


def complete_match(
    match_id: uuid.UUID, hours: Decimal, *, uow: UnitOfWork, principal: Principal, now: datetime
) -> None:
    """The volunteer has helped; the hours are logged and their load goes down."""
    with uow:
        match = _locked_match(uow, match_id)
        access.check_answers_for(principal, match.volunteer.account)
        domain.check_open(MatchStatus(match.status), MatchStatus.ACCEPTED)
        match.status, match.completed_at, match.hours = MatchStatus.COMPLETED.value, now, hours
        request = match.help_request
        request.status, request.updated_at = RequestStatus.COMPLETED.value, now
        uow.emit(AssignmentCompleted(**_match_fields(match), hours=hours))
        uow.commit()
    log.info("assignment_completed", match_id=str(match_id))


def expire_proposals(*, now: datetime, uow: UnitOfWork, policy: MatchingPolicy, limit: int = 200) -> int:
    """Expires proposals not answered by their deadline and asks the next volunteer; returns how
    many expired. Runs periodically; tests call it with a `now` of their choosing."""
    overdue = (
        select(Match.id)
        .where(Match.status == MatchStatus.PROPOSED.value, Match.expires_at <= now)
        .order_by(Match.expires_at)
        .limit(limit)
    )
    expired = 0
    with uow:
        for match_id in list(uow.session.scalars(overdue)):
            match = _locked_match(uow, match_id)
            if match.status != MatchStatus.PROPOSED.value:
                continue  # answered meanwhile
            match.status = MatchStatus.EXPIRED.value
            uow.emit(MatchExpired(**_match_fields(match)))
            log.info("match_expired", match_id=str(match.id), help_request_id=str(match.help_request_id))
            propose_next(
                match.help_request, uow=uow, policy=policy, now=now, reason_if_nobody=UnmatchedReason.ALL_EXPIRED
            )
            expired += 1
        uow.commit()
    return expired


def _match_fields(match: Match) -> dict[str, object]:
    return {
        "match_id": match.id,
        "help_request_id": match.help_request_id,
        "volunteer_ref": match.volunteer.volunteer_ref,
        "quarter_id": match.help_request.quarter_id,
        "help_kind": match.help_request.help_kind,
    }
