"""Reading signals and follow-ups back for staff: filtered, paged, newest or most urgent first."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from qn_contracts.vocabulary import SignalType

from . import domain
from .models import FollowUp, Signal

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


def _page(session: Session, statement: Select, page: int, page_size: int) -> Page:  # type: ignore[type-arg]
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    items = list(session.scalars(statement.offset((page - 1) * page_size).limit(page_size)))
    return Page(items, total, page, page_size)


def list_signals(
    session: Session,
    *,
    team_id: str | None,
    quarter_id: str | None,
    signal_type: SignalType | None,
    page: int,
    page_size: int,
    raised_by: str | None = None,
) -> Page[Signal]:
    """Signals of a team (or every team; or raised by one person), newest first."""
    statement = select(Signal).order_by(Signal.raised_at.desc(), Signal.id)
    if team_id is not None:
        statement = statement.where(Signal.team_id == team_id)
    if raised_by is not None:
        statement = statement.where(Signal.raised_by_subject == raised_by)
    if quarter_id is not None:
        statement = statement.where(Signal.quarter_id == quarter_id)
    if signal_type is not None:
        statement = statement.where(Signal.signal_type == signal_type.value)
    return _page(session, statement, page, page_size)


def get_signal(session: Session, signal_id: uuid.UUID) -> Signal:
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise domain.signal_not_found(signal_id)
    return signal


def follow_up_of(session: Session, signal_id: uuid.UUID) -> FollowUp | None:
    return session.scalars(select(FollowUp).where(FollowUp.signal_id == signal_id)).first()


def follow_ups_of(session: Session, signal_ids: list[uuid.UUID]) -> dict[uuid.UUID, FollowUp]:
    if not signal_ids:
        return {}
    rows = session.scalars(select(FollowUp).where(FollowUp.signal_id.in_(signal_ids)))
    return {f.signal_id: f for f in rows if f.signal_id is not None}


def get_follow_up(session: Session, follow_up_id: uuid.UUID) -> FollowUp:
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise domain.follow_up_not_found(follow_up_id)
    return follow_up


def list_follow_ups(
    session: Session,
    *,
    team_id: str | None,
    status: str | None,
    overdue: bool | None,
    now: datetime,
    page: int,
    page_size: int,
) -> Page[FollowUp]:
    """Follow-ups of a team (or every team), the earliest due first."""
    statement = select(FollowUp).order_by(FollowUp.due_at, FollowUp.id)
    if team_id is not None:
        statement = statement.where(FollowUp.team_id == team_id)
    if status is not None:
        statement = statement.where(FollowUp.status == status)
    if overdue is True:
        statement = statement.where(FollowUp.status == "open", FollowUp.due_at < now)
    elif overdue is False:
        statement = statement.where((FollowUp.status != "open") | (FollowUp.due_at >= now))
    return _page(session, statement, page, page_size)
