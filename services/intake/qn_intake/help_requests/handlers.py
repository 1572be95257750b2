"""Use cases for neighbourly-help requests: being built."""

from __future__ import annotations

import uuid
from datetime import datetime

from qn_contracts.intake import HelpRequested
from qn_contracts.vocabulary import Urgency
from qn_infra.unit_of_work import UnitOfWork

from .models import HelpRequest


def request_help(
    uow: UnitOfWork,
    *,
    concern_id: uuid.UUID,
    person_id: uuid.UUID | None,
    person_ref: uuid.UUID | None,
    quarter_id: str,
    help_kind: str,
    topics: tuple[str, ...],
    urgency: Urgency,
    language: str | None,
    rule_id: str | None,
    now: datetime,
) -> HelpRequest:
    """Adds a help request and, when allowed, emits `HelpRequested` for matching; the caller commits."""
    help_request = HelpRequest(
        id=uuid.uuid4(), concern_id=concern_id, help_kind=help_kind, topics=list(topics),
        rule_id=rule_id, status="requested", created_at=now, requested_at=now,
    )
    uow.session.add(help_request)
    uow.emit(
        HelpRequested(
            help_request_id=help_request.id,
            concern_id=concern_id,
            person_ref=person_ref,
            quarter_id=quarter_id,
            help_kind=help_kind,
            skills=[help_kind],
            languages=[language] if language else [],
            urgency=urgency,
        )
    )
    return help_request
