"""Use cases for neighbourly-help requests. A request for a known person goes to matching only
while the person's neighbourly-help consent is active; until then it waits, and nothing leaves
intake. Anonymous concerns (no person) ask for help directly."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qn_contracts.intake import HelpRequested
from qn_contracts.vocabulary import ConsentPurpose, Urgency
from qn_infra.unit_of_work import UnitOfWork

from ..concerns.models import Concern
from ..consent.queries import active_consent
from ..persons.models import Person
from .models import HelpRequest

REQUESTED = "requested"
AWAITING_CONSENT = "awaiting_consent"
CANCELLED = "cancelled"


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
    person = uow.session.get(Person, person_id) if person_id is not None else None
    if person is not None:
        person_ref = person_ref or person.person_ref
        language = language or person.preferred_language
    waiting = person_id is not None and (
        active_consent(uow.session, person_id, ConsentPurpose.NEIGHBOURLY_HELP, now=now) is None
    )
    help_request = HelpRequest(
        id=uuid.uuid4(),
        concern_id=concern_id,
        help_kind=help_kind,
        topics=list(topics),
        rule_id=rule_id,
        status=AWAITING_CONSENT if waiting else REQUESTED,
        created_at=now,
        requested_at=None if waiting else now,
    )
    uow.session.add(help_request)
    if not waiting:
        uow.emit(_help_requested(help_request, concern_id, person_ref, quarter_id, urgency, language))
    return help_request


def release_waiting_help(uow: UnitOfWork, *, person_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Sends the person's waiting help requests (of open concerns) to matching, now that consent is
    there; the caller commits. Returns the ids released."""
    person = uow.session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        return []
    rows = uow.session.execute(
        select(HelpRequest, Concern)
        .join(Concern, HelpRequest.concern_id == Concern.id)
        .where(Concern.person_id == person_id, Concern.status == "open", HelpRequest.status == AWAITING_CONSENT)
        .order_by(HelpRequest.created_at, HelpRequest.id)
    ).all()
    released = []
    for help_request, concern in rows:
        help_request.status = REQUESTED
        help_request.requested_at = now
        language = person.preferred_language or concern.language
        urgency = Urgency(concern.urgency)
        uow.emit(_help_requested(help_request, concern.id, person.person_ref, concern.quarter_id, urgency, language))
        released.append(help_request.id)
    return released


def cancel_help_for_person(session: Session, *, person_id: uuid.UUID, now: datetime) -> list[uuid.UUID]:
    """Cancels the person's help requests still waiting or requested (consent withdrawn, person
    erased); the caller commits. Matching stops its proposals when it sees ConsentWithdrawn."""
    requests = session.scalars(
        select(HelpRequest)
        .join(Concern, HelpRequest.concern_id == Concern.id)
        .where(Concern.person_id == person_id, HelpRequest.status.in_((AWAITING_CONSENT, REQUESTED)))
        .order_by(HelpRequest.created_at, HelpRequest.id)
    ).all()
    for help_request in requests:
        help_request.status = CANCELLED
        help_request.cancelled_at = now
    return [r.id for r in requests]


def _help_requested(
    help_request: HelpRequest,
    concern_id: uuid.UUID,
    person_ref: uuid.UUID | None,
    quarter_id: str,
    urgency: Urgency,
    language: str | None,
) -> HelpRequested:
    return HelpRequested(
        help_request_id=help_request.id,
        concern_id=concern_id,
        person_ref=person_ref,
        quarter_id=quarter_id,
        help_kind=help_request.help_kind,
        skills=[help_request.help_kind],
        languages=[language] if language else [],
        urgency=urgency,
    )
