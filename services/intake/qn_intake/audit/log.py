"""Writing to the audit log: one entry per read of a person's data, in the reader's transaction, so
that a read that commits is always on record (and a rolled-back one leaves nothing behind)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from qn_infra.auth import Principal
from qn_infra.logs import current_correlation_id

from .models import AuditEntry


def record_read(
    session: Session,
    principal: Principal,
    *,
    purpose: str,
    subject_type: str,
    subject_id: str,
    fields: list[str],
    at: datetime,
    action: str = "read",
    on_behalf_of: str | None = None,
) -> None:
    """Adds an AuditEntry (who, roles, org, when, purpose, what) to `session`; the caller commits."""
    session.add(
        AuditEntry(
            at=at,
            actor=principal.subject[:200],
            actor_roles=",".join(sorted(principal.roles))[:200],
            # staff belong to a team, carriers to an organisation: either says where the reader works
            actor_org=(principal.org or principal.team or "")[:64] or None,
            purpose=purpose[:50],
            action=action[:20],
            subject_type=subject_type[:30],
            subject_id=str(subject_id)[:36],
            fields=list(fields),
            correlation_id=current_correlation_id(),
            on_behalf_of=on_behalf_of,
        )
    )
