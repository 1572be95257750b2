"""Loading a team's open work: open concerns, referrals still under way, open follow-ups. Only ids,
codes and dates are read -- the queue holds no personal data.

A team's open work is bounded (hundreds of items, not millions), so the three lists are merged,
ordered and paged in Python: the due date of a concern depends on the city's configured deadlines,
which SQL could only compute with dialect-specific date arithmetic."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from qn_contracts.vocabulary import TargetKind, Urgency

from ..city import City
from ..concerns.models import Concern
from ..help_requests.models import HelpRequest
from ..referrals.models import Referral
from ..signals.models import FollowUp
from . import domain
from .domain import QueueFilter, QueueItem, QueueKind


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueItem]
    total: int


def work_queue(
    session: Session, city: City, *, team_id: str | None, f: QueueFilter, now: datetime, page: int, page_size: int
) -> QueuePage:
    """One page of a team's (or, for None, every team's) open work, in the queue's order."""
    items = [item for item in _load(session, city, team_id, f) if domain.matches(item, f, now)]
    items.sort(key=lambda item: item.sort_key(now))
    start = (page - 1) * page_size
    return QueuePage(items[start : start + page_size], len(items))


def _load(session: Session, city: City, team_id: str | None, f: QueueFilter) -> Iterator[QueueItem]:
    if f.kind in (None, QueueKind.CONCERN):
        yield from _concerns(session, city, team_id, f)
    if f.kind in (None, QueueKind.REFERRAL):
        yield from _referrals(session, city, team_id, f)
    if f.kind in (None, QueueKind.FOLLOW_UP):
        yield from _follow_ups(session, city, team_id, f)
    if f.kind in (None, QueueKind.HELP_REQUEST):
        yield from _help_requests(session, city, team_id, f)


def _concerns(session: Session, city: City, team_id: str | None, f: QueueFilter) -> Iterator[QueueItem]:
    statement = select(Concern.id, Concern.quarter_id, Concern.topics, Concern.urgency, Concern.recorded_at).where(
        Concern.status == "open"
    )
    if team_id is not None:
        statement = statement.where(Concern.team_id == team_id)
    if f.quarter_id is not None:
        statement = statement.where(Concern.quarter_id == f.quarter_id)
    for concern_id, quarter_id, topic_list, urgency, recorded_at in session.execute(statement):
        topics = tuple(topic_list)
        de, en = domain.concern_label(city, topics)
        yield QueueItem(
            kind=QueueKind.CONCERN,
            id=concern_id,
            concern_id=concern_id,
            quarter_id=quarter_id,
            topics=topics,
            urgency=Urgency(urgency),
            status="open",
            due_at=domain.concern_due(city.policy, topics, Urgency(urgency), recorded_at),
            escalated=False,
            label_de=de,
            label_en=en,
        )


def _referrals(session: Session, city: City, team_id: str | None, f: QueueFilter) -> Iterator[QueueItem]:
    """Referrals of the team's concerns still under way, held for consent, or declined without a
    next step; and referrals addressed to the team itself still under way."""
    under_way = Referral.status.in_([s.value for s in domain.OPEN_REFERRAL_STATUSES])
    held = Referral.status == domain.AWAITING_CONSENT
    another_way = and_(
        Referral.status.in_(domain.ANOTHER_WAY_STATUSES), Referral.next_step.is_(None), Concern.status == "open"
    )
    statement = (
        select(
            Referral.id,
            Referral.concern_id,
            Concern.quarter_id,
            Referral.topics,
            Concern.urgency,
            Referral.status,
            Referral.due_at,
            Referral.escalated_at,
            Referral.target_id,
            Referral.reason,
            Referral.updated_at,
        )
        .join(Concern, Concern.id == Referral.concern_id)
        .where(or_(under_way, held, another_way))
    )
    if team_id is not None:
        addressed = and_(Referral.target_kind == TargetKind.TEAM.value, Referral.target_id == team_id, under_way)
        statement = statement.where(or_(Concern.team_id == team_id, addressed))
    if f.quarter_id is not None:
        statement = statement.where(Concern.quarter_id == f.quarter_id)
    for (
        referral_id,
        concern_id,
        quarter_id,
        topics,
        urgency,
        status,
        due_at,
        escalated_at,
        target_id,
        reason,
        updated_at,
    ) in session.execute(statement):
        de, en = domain.referral_label(city, target_id, status)
        declined = status in domain.ANOTHER_WAY_STATUSES
        yield QueueItem(
            kind=QueueKind.REFERRAL,
            id=referral_id,
            concern_id=concern_id,
            quarter_id=quarter_id,
            topics=tuple(topics),
            urgency=Urgency(urgency),
            status=status,
            # a decline is news the team must act on now
            due_at=updated_at if declined else due_at,
            escalated=escalated_at is not None,
            label_de=de,
            label_en=en,
            target_id=target_id,
            reason=reason if declined else None,
        )


def _follow_ups(session: Session, city: City, team_id: str | None, f: QueueFilter) -> Iterator[QueueItem]:
    statement = (
        select(
            FollowUp.id,
            FollowUp.concern_id,
            FollowUp.quarter_id,
            FollowUp.reason,
            FollowUp.due_at,
            FollowUp.created_at,
            FollowUp.escalated_at,
            Concern.topics,
            Concern.urgency,
        )
        .outerjoin(Concern, Concern.id == FollowUp.concern_id)
        .where(FollowUp.status == "open")
    )
    if team_id is not None:
        statement = statement.where(FollowUp.team_id == team_id)
    if f.quarter_id is not None:
        statement = statement.where(FollowUp.quarter_id == f.quarter_id)
    for row in session.execute(statement):
        follow_up_id, concern_id, quarter_id, reason, due_at, created_at, escalated_at, topics, concern_urgency = row
        deadline_days = (due_at - created_at).total_seconds() / 86400
        urgency = domain.most_urgent(
            Urgency(concern_urgency) if concern_urgency else None,
            domain.urgency_of_deadline(city.policy, deadline_days),
        )
        de, en = domain.follow_up_label(reason)
        yield QueueItem(
            kind=QueueKind.FOLLOW_UP,
            id=follow_up_id,
            concern_id=concern_id,
            quarter_id=quarter_id,
            topics=tuple(topics or ()),
            urgency=urgency,
            status="open",
            due_at=due_at,
            escalated=escalated_at is not None,
            label_de=de,
            label_en=en,
            reason=reason,
        )


def _help_requests(session: Session, city: City, team_id: str | None, f: QueueFilter) -> Iterator[QueueItem]:
    """Help requests of the team's open concerns that wait for a person or consent, or that
    matching could not place (until the team records its next step)."""
    statement = (
        select(
            HelpRequest.id,
            HelpRequest.concern_id,
            HelpRequest.help_kind,
            HelpRequest.status,
            HelpRequest.unmatched_at,
            HelpRequest.unmatched_reason,
            HelpRequest.topics,
            Concern.quarter_id,
            Concern.urgency,
            Concern.topics,
            Concern.recorded_at,
        )
        .join(Concern, Concern.id == HelpRequest.concern_id)
        .where(
            Concern.status == "open",
            HelpRequest.status.in_(domain.HELP_STATUSES),
            HelpRequest.next_step.is_(None),
        )
    )
    if team_id is not None:
        statement = statement.where(Concern.team_id == team_id)
    if f.quarter_id is not None:
        statement = statement.where(Concern.quarter_id == f.quarter_id)
    for row in session.execute(statement):
        (help_id, concern_id, help_kind, status, unmatched_at, why, topics, quarter_id, urgency, concern_topics, at) = (
            row
        )
        due = (
            unmatched_at
            if unmatched_at is not None
            else domain.concern_due(city.policy, tuple(concern_topics), Urgency(urgency), at)
        )
        de, en = domain.help_label(help_kind, status)
        yield QueueItem(
            kind=QueueKind.HELP_REQUEST,
            id=help_id,
            concern_id=concern_id,
            quarter_id=quarter_id,
            topics=tuple(topics),
            urgency=Urgency(urgency),
            status=status,
            due_at=due,
            escalated=False,
            label_de=de,
            label_en=en,
            reason=why,
        )
