"""Matching's log of what was done on a task, and by whom: every answer to a proposal and every
hours entry, marked `on_behalf_of` when a coordinator acted for the volunteer (proxy mode, for
volunteers without a smartphone). Append-only; holds logins and ids, never free text."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Uuid, select
from sqlalchemy.orm import Mapped, mapped_column

from qn_infra.auth import Principal
from qn_infra.database import UtcDateTime
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..db import Base
from .models import Match


class Action(StrEnum):
    ASSIGNED = "assigned"
    """A coordinator assigned the task by hand (on the volunteer's behalf)."""
    OFFERED = "offered"
    """A coordinator offered the request to this volunteer among several."""
    WITHDRAWN = "withdrawn"
    """The offer went to another who claimed it first, or a coordinator's choice replaced it."""
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    HOURS_LOGGED = "hours_logged"
    HOURS_APPROVED = "hours_approved"
    HOURS_RETURNED = "hours_returned"


class TaskLogEntry(Base):
    __tablename__ = "task_log"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    match_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("matches.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    """The token subject of who did it."""
    on_behalf_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """The volunteer (id) a coordinator acted for; None when the volunteer acted themselves or the
    action is the coordinator's own (approving hours)."""
    hours_entry_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    overrides: Mapped[list[str] | None] = mapped_column(JSON)
    """The soft rules a coordinator set aside assigning or offering by hand (`by_hand.Override`,
    and `not_first` where the ranking would have asked someone else first)."""
    at: Mapped[datetime] = mapped_column(UtcDateTime)


def acts_for_volunteer(principal: Principal, match: Match) -> bool:
    """Whether the caller answers for someone else: a coordinator, not the volunteer themself."""
    return not access.is_own_record(principal, match.volunteer.account)


def record(
    uow: UnitOfWork,
    match: Match,
    action: Action,
    *,
    principal: Principal,
    now: datetime,
    volunteers_act: bool = True,
    hours_entry_id: uuid.UUID | None = None,
    overrides: list[str] | None = None,
) -> bool:
    """Adds an entry; returns whether it was done on the volunteer's behalf. `volunteers_act`
    False: an act that is the coordinator's own (approving), never on anyone's behalf."""
    on_behalf = volunteers_act and acts_for_volunteer(principal, match)
    uow.session.add(
        TaskLogEntry(
            id=uuid.uuid4(),
            match_id=match.id,
            action=action.value,
            actor=principal.subject[:200],
            on_behalf_of=match.volunteer_id if on_behalf else None,
            hours_entry_id=hours_entry_id,
            overrides=overrides,
            at=now,
        )
    )
    return on_behalf


def entries(uow: UnitOfWork, match_id: uuid.UUID) -> list[TaskLogEntry]:
    """The task's log, oldest first."""
    statement = select(TaskLogEntry).where(TaskLogEntry.match_id == match_id).order_by(TaskLogEntry.at, TaskLogEntry.id)
    return list(uow.session.scalars(statement))
