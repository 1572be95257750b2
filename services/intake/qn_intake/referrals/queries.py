"""Reading referrals: one, a page of them for a carrier or team, and the overdue ones for the
team's work queue. Functions take a session, so the work queue can use them in its own."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from ..concerns.models import Concern
from .access import Scope
from .domain import FINAL, ReferralNotFound
from .models import Referral

FINAL_CODES = tuple(s.value for s in FINAL)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for 'not final and past its due date'."""
    return and_(Referral.status.not_in(FINAL_CODES), Referral.due_at < now)


def get_referral(session: Session, referral_id: uuid.UUID, *, for_update: bool = False) -> tuple[Referral, Concern]:
    """A referral and its concern; 404 if there is none. `for_update` locks the row (PostgreSQL)
    so that two answers at once cannot both pass the state machine."""
    referral = session.get(Referral, referral_id, with_for_update=for_update or None)
    if referral is None:
        raise ReferralNotFound(
            f"Überweisung {referral_id} gibt es nicht.", f"Referral {referral_id} does not exist.", field="referral_id"
        )
    concern = session.get(Concern, referral.concern_id)
    assert concern is not None  # foreign key
    return referral, concern


def _visible(scope: Scope) -> Select[Referral, Concern]:
    statement = select(Referral, Concern).join(Concern, Concern.id == Referral.concern_id)
    if scope.target_id is not None:
        statement = statement.where(Referral.target_id == scope.target_id)
    if scope.team_id is not None:
        statement = statement.where(or_(Concern.team_id == scope.team_id, Referral.target_id == scope.team_id))
    return statement


def list_referrals(
    session: Session,
    scope: Scope,
    *,
    statuses: list[str],
    overdue: bool | None,
    now: datetime,
    page: int,
    page_size: int,
) -> tuple[list[tuple[Referral, Concern]], int]:
    """One page of the referrals `scope` may see, soonest due first, and how many there are."""
    statement = _visible(scope)
    if statuses:
        statement = statement.where(Referral.status.in_(statuses))
    if overdue is not None:
        statement = statement.where(overdue_clause(now) if overdue else not_(overdue_clause(now)))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.execute(
        statement.order_by(Referral.due_at, Referral.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return [(r, c) for r, c in rows], total


def open_referrals_of_person(session: Session, person_id: uuid.UUID, carrier_id: str | None) -> list[Referral]:
    """Open referrals of a person's concerns to carriers and offices (to one, or all of them)."""
    statement = (
        select(Referral)
        .join(Concern, Concern.id == Referral.concern_id)
        .where(Concern.person_id == person_id, Referral.status.not_in(FINAL_CODES), Referral.target_kind != "team")
        .order_by(Referral.created_at, Referral.id)
        .with_for_update(of=Referral)
    )
    if carrier_id is not None:
        statement = statement.where(Referral.target_id == carrier_id)
    return list(session.scalars(statement))


def newly_overdue(session: Session, now: datetime, limit: int) -> list[Referral]:
    """Overdue referrals not yet escalated. SKIP LOCKED lets two replicas run the job at once
    without escalating the same referral twice (PostgreSQL; SQLite has one writer anyway)."""
    statement = (
        select(Referral)
        .where(overdue_clause(now), Referral.escalated_at.is_(None))
        .order_by(Referral.due_at, Referral.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))
