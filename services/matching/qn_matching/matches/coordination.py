"""A coordinator's own moves on a help request: assign one volunteer by hand, or offer the request
to several at once (the first to claim it gets it, `handlers.accept_match`). Hard rules are
checked for every volunteer named; soft ones need the coordinator's explicit override, which the
proposal's reasons and the task log keep."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, func, select

from qn_contracts.matching import MatchProposed
from qn_contracts.vocabulary import VolunteerStatus
from qn_infra.auth import Principal
from qn_infra.logs import get_logger
from qn_infra.pseudonyms import LoginPseudonyms
from qn_infra.unit_of_work import UnitOfWork

from ..volunteers.domain import level_ranks, volunteer_not_found
from ..volunteers.models import Absence, Volunteer
from . import by_hand, domain, task_log
from .domain import MatchStatus, MatchVia, RequestStatus
from .handlers import (
    CandidatePool,
    MatchingPolicy,
    emit_accepted,
    helped_before,
    locked_request,
    withdraw_open,
)
from .models import HelpRequest, Match
from .reasons import reasons_for

log = get_logger(__name__)

MOST_OFFERED = 10
"""An offer to several goes to at most this many volunteers at once."""


def assign(
    help_request_id: uuid.UUID,
    volunteer_id: uuid.UUID,
    overrides: Sequence[str],
    *,
    uow: UnitOfWork,
    principal: Principal,
    policy: MatchingPolicy,
    now: datetime,
    pseudonyms: LoginPseudonyms | None = None,
) -> uuid.UUID:
    """The coordinator gives the task to one volunteer who agreed (on the phone, in the drop-in
    centre): an accepted task at once, on the volunteer's behalf. Open proposals of the request
    are withdrawn. Returns the new match's id."""
    with uow:
        request = locked_request(uow, help_request_id)
        by_hand.check_request_open(RequestStatus(request.status))
        need = policy.need(request, now, helped_before=helped_before(uow, request))
        volunteer, candidate = _candidate(uow, volunteer_id, request, policy, now)
        hard, soft = by_hand.obstacles(
            candidate, need, away=_away(uow, volunteer_id, policy, now), asked_before=_asked(request, volunteer_id)
        )
        by_hand.check_placeable(volunteer.display_name, hard, soft, overrides, field="volunteer_id")
        recorded = [o for o in by_hand.Override if o in soft]
        pool = CandidatePool(uow, policy, today=now.astimezone(policy.timezone).date())
        first = pool.choose_next(request.quarter_id, need, now, asked=[m.volunteer_id for m in request.matches])
        if first is not None and first.candidate.volunteer_id != volunteer_id:
            recorded.append(by_hand.NOT_FIRST)  # type: ignore[arg-type]
        withdraw_open(uow, request, reason="assigned_by_hand", principal=principal, now=now)
        match = _propose(uow, request, volunteer, candidate, need, policy=policy, now=now, via=MatchVia.ASSIGNED)
        match.reasons = [{"code": "assigned_by_hand", "overrides": list(recorded)}, *(match.reasons or [])]
        match.status = MatchStatus.ACCEPTED.value
        match.answered_at, match.answered_by = now, principal.subject
        request.status = RequestStatus.MATCHED.value
        task_log.record(
            uow, match, task_log.Action.ASSIGNED, principal=principal, now=now, overrides=[str(o) for o in recorded]
        )
        emit_accepted(uow, match, principal=principal, pseudonyms=pseudonyms, on_behalf=True, now=now)
        uow.commit()
    log.info("match_assigned_by_hand", match_id=str(match.id), help_request_id=str(help_request_id), overrides=recorded)
    return match.id


def offer_to_several(
    help_request_id: uuid.UUID,
    volunteer_ids: Sequence[uuid.UUID],
    overrides: Sequence[str],
    *,
    uow: UnitOfWork,
    principal: Principal,
    policy: MatchingPolicy,
    now: datetime,
) -> list[uuid.UUID]:
    """Proposes the request to every volunteer named at once; whoever accepts first takes it and
    the others' offers are withdrawn (`handlers.accept_match`). Open proposals made before are
    withdrawn. Returns the new matches' ids, in the order given."""
    by_hand.check_offer_list(volunteer_ids, most=MOST_OFFERED)
    with uow:
        request = locked_request(uow, help_request_id)
        by_hand.check_request_open(RequestStatus(request.status))
        need = policy.need(request, now, helped_before=helped_before(uow, request))
        chosen: list[tuple[Volunteer, domain.Candidate, list[str]]] = []
        for index, volunteer_id in enumerate(volunteer_ids):
            volunteer, candidate = _candidate(uow, volunteer_id, request, policy, now)
            hard, soft = by_hand.obstacles(
                candidate, need, away=_away(uow, volunteer_id, policy, now), asked_before=_asked(request, volunteer_id)
            )
            by_hand.check_placeable(volunteer.display_name, hard, soft, overrides, field=f"volunteer_ids.{index}")
            chosen.append((volunteer, candidate, [o.value for o in by_hand.Override if o in soft]))
        withdraw_open(uow, request, reason="offered_to_several", principal=principal, now=now)
        matches = []
        for volunteer, candidate, recorded in chosen:
            match = _propose(uow, request, volunteer, candidate, need, policy=policy, now=now, via=MatchVia.OFFERED)
            match.reasons = [{"code": "offered_to_several"}, *(match.reasons or [])]
            if recorded:
                match.reasons.insert(1, {"code": "assigned_by_hand", "overrides": recorded})
            task_log.record(
                uow,
                match,
                task_log.Action.OFFERED,
                principal=principal,
                now=now,
                volunteers_act=False,
                overrides=recorded,
            )
            matches.append(match)
        uow.commit()
    log.info("help_request_offered_to_several", help_request_id=str(help_request_id), count=len(matches))
    return [m.id for m in matches]


def _candidate(
    uow: UnitOfWork, volunteer_id: uuid.UUID, request: HelpRequest, policy: MatchingPolicy, now: datetime
) -> tuple[Volunteer, domain.Candidate]:
    volunteer = uow.session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise volunteer_not_found(volunteer_id)
    load = uow.session.scalar(
        select(func.count()).where(
            Match.volunteer_id == volunteer_id, Match.status.in_([s.value for s in domain.OPEN_MATCH_STATUSES])
        )
    )
    city = policy.city
    reaches = (
        city.reaches(volunteer.quarter_id, volunteer.reach, volunteer.reach_km)
        if city is not None and volunteer.reach != "own_quarter"
        else None
    )
    candidate = domain.Candidate(
        volunteer.id,
        VolunteerStatus(volunteer.status),
        volunteer.quarter_id,
        frozenset(volunteer.skills),
        frozenset(volunteer.languages),
        volunteer.slots,
        int(load or 0),
        volunteer.registered_at,
        reaches,
        volunteer.vetting_recheck_on if volunteer.vetting_no_relevant_entry else None,
        volunteer.max_open_tasks,
        level_ranks(volunteer.skill_levels) or None,
    )
    return volunteer, candidate


def _away(uow: UnitOfWork, volunteer_id: uuid.UUID, policy: MatchingPolicy, now: datetime) -> bool:
    today = now.astimezone(policy.timezone).date()
    return bool(
        uow.session.scalar(
            select(
                exists().where(
                    and_(Absence.volunteer_id == volunteer_id, Absence.starts_on <= today, Absence.ends_on >= today)
                )
            )
        )
    )


def _asked(request: HelpRequest, volunteer_id: uuid.UUID) -> bool:
    return any(m.volunteer_id == volunteer_id for m in request.matches)


def _propose(
    uow: UnitOfWork,
    request: HelpRequest,
    volunteer: Volunteer,
    candidate: domain.Candidate,
    need: domain.Need,
    *,
    policy: MatchingPolicy,
    now: datetime,
    via: MatchVia,
) -> Match:
    attempt = max((m.attempt for m in request.matches), default=0) + 1
    ranked = domain.ranked_anyway(candidate, need, now, policy.timezone)
    match = Match(
        id=uuid.uuid4(),
        help_request_id=request.id,
        volunteer_id=volunteer.id,
        attempt=attempt,
        score=ranked.score,
        status=MatchStatus.PROPOSED.value,
        via=via.value,
        proposed_at=now,
        expires_at=now + policy.offer_timeout_for(request.urgency),
        reasons=reasons_for(ranked, need, now, policy.timezone),
    )
    match.volunteer = volunteer
    request.matches.append(match)
    request.status, request.unmatched_reason, request.updated_at = RequestStatus.PROPOSED.value, None, now
    uow.session.add(match)
    uow.session.flush()  # before the task log's entry, which no relationship orders after it
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
    return match
