"""Reading the audit log, for a data-protection officer's question: who looked at this person?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    subject_id: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 200
    offset: int = 0


def find_entries(session: Session, query: AuditFilter) -> Sequence[AuditEntry]:
    """Entries matching every given filter, oldest first (the order things happened in)."""
    statement = select(AuditEntry)
    if query.subject_id:
        statement = statement.where(AuditEntry.subject_id == query.subject_id)
    if query.actor:
        statement = statement.where(AuditEntry.actor == query.actor)
    if query.since:
        statement = statement.where(AuditEntry.at >= query.since)
    if query.until:
        statement = statement.where(AuditEntry.at <= query.until)
    statement = statement.order_by(AuditEntry.at, AuditEntry.id).offset(query.offset).limit(query.limit)
    return session.scalars(statement).all()
