"""Reading referrals: one, a page of them for a carrier or team, and the overdue ones for the
team's work queue. Functions take a session, so the work queue can use them in its own."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, not_, select
from sqlalchemy.orm import Session

from ..access import AWAITING_CONSENT, Viewer, referrals_visible
from ..concerns.models import Concern
from .domain import FINAL, OPEN, ReferralNotFound
from .models import Referral

FINAL_CODES = tuple(s.value for s in FINAL)
OPEN_CODES = tuple(s.value for s in OPEN)
NEEDS_ANOTHER_WAY = ("rejected", "failed")


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """SQL for 'not final and past its due date' (a held referral counts: the team must act)."""
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


def _visible(viewer: Viewer) -> Select[Referral, Concern]:
    return select(Referral, Concern).join(Concern, Concern.id == Referral.concern_id).where(referrals_visible(viewer))


def list_referrals(
    session: Session,
    viewer: Viewer,
    *,
    statuses: list[str],
    overdue: bool | None,
    now: datetime,
    page: int,
    page_size: int,
) -> tuple[list[tuple[Referral, Concern]], int]:
    """One page of the referrals `viewer` may see, soonest due first, and how many there are."""
    statement = _visible(viewer)
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
    """Announced, still open referrals of a person's concerns to carriers and offices (to one, or
    all of them)."""
    statement = (
        select(Referral)
        .join(Concern, Concern.id == Referral.concern_id)
        .where(Concern.person_id == person_id, Referral.status.in_(OPEN_CODES), Referral.target_kind != "team")
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
        .where(overdue_clause(now), Referral.escalated_at.is_(None), Referral.status != AWAITING_CONSENT)
        .order_by(Referral.due_at, Referral.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(statement))


def held_referrals(session: Session, person_id: uuid.UUID, target_id: str) -> list[tuple[Referral, Concern]]:
    """The person's referrals to `target_id` held for consent, of concerns still open."""
    rows = session.execute(
        select(Referral, Concern)
        .join(Concern, Concern.id == Referral.concern_id)
        .where(
            Concern.person_id == person_id,
            Concern.status == "open",
            Referral.status == AWAITING_CONSENT,
            Referral.target_id == target_id,
        )
        .order_by(Referral.created_at, Referral.id)
        .with_for_update(of=Referral)
    ).all()
    return [(r, c) for r, c in rows]


def needing_another_way(session: Session, concern_id: uuid.UUID) -> list[Referral]:
    """The concern's declined or failed referrals for which the team has not recorded a next step."""
    return list(
        session.scalars(
            select(Referral).where(
                Referral.concern_id == concern_id,
                Referral.status.in_(NEEDS_ANOTHER_WAY),
                Referral.next_step.is_(None),
            )
        )
    )
