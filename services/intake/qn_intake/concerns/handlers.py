"""Use cases for a recorded concern: read, close, reopen, note contacts, refer -- one verb per
function. Recording itself is in recording.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from qn_contracts.intake import ConcernClosed, ConcernReopened
from qn_contracts.vocabulary import AgeBand, Urgency
from qn_infra.auth import Principal
from qn_infra.unit_of_work import UnitOfWork

from ..audit.log import record_read
from ..context import IntakeContext
from ..help_requests.handlers import AWAITING_CONSENT, CANCELLED
from ..persons.models import Person
from ..referrals.handlers import create_referral
from . import domain
from .contacts import note_contact
from .models import Concern, ConcernEvent

# What a concern shows about its person; reading it is a read of personal data.
PERSONAL_FIELDS = ["concern.street", "concern.house_number", "concern.postcode", "concern.note", "concern.history"]


def get_concern(concern_id: uuid.UUID, *, uow: UnitOfWork, reader: Principal | None = None) -> Concern:
    """A concern with its referrals, help requests and history. When a person is attached, the
    read is written to the audit log for `reader`."""
    with uow:
        concern = _load(uow, concern_id)
        if reader is not None and concern.person_id is not None:
            record_read(
                uow.session,
                reader,
                purpose="case_work",
                subject_type="person",
                subject_id=str(concern.person_id),
                fields=PERSONAL_FIELDS,
            )
            uow.commit()
        uow.session.expunge_all()  # hand back detached objects; closing must not expire them
        return concern


def close_concern(concern_id: uuid.UUID, outcome: str, note: str | None, *, uow: UnitOfWork, actor: str) -> None:
    """Closes an open concern with an outcome."""
    domain.check_outcome(outcome)
    now = datetime.now(UTC)
    with uow:
        concern = _load(uow, concern_id, lock=True)
        if concern.status == "closed":
            raise domain.already("closed")
        concern.status, concern.outcome, concern.closed_at = "closed", outcome, now
        _history(uow, concern_id, actor, "closed", now, note=note, outcome=outcome)
        # help still waiting for consent never left intake: it ends with the concern (requests
        # already with matching are stopped there when it reads concern.closed)
        for help_request in concern.help_requests:
            if help_request.status == AWAITING_CONSENT:
                help_request.status, help_request.cancelled_at = CANCELLED, now
        uow.emit(
            ConcernClosed(concern_id=concern_id, quarter_id=concern.quarter_id, topics=concern.topics, outcome=outcome)
        )
        uow.commit()


def reopen_concern(concern_id: uuid.UUID, note: str | None, *, uow: UnitOfWork, actor: str) -> None:
    """Reopens a closed concern; the earlier outcome stays in the history."""
    now = datetime.now(UTC)
    with uow:
        concern = _load(uow, concern_id, lock=True)
        if concern.status != "closed":
            raise domain.already("open")
        _history(uow, concern_id, actor, "reopened", now, note=note, previous_outcome=concern.outcome)
        concern.status, concern.outcome, concern.closed_at = "open", None, None
        uow.emit(ConcernReopened(concern_id=concern_id, quarter_id=concern.quarter_id, topics=concern.topics))
        uow.commit()


def record_contact(
    concern_id: uuid.UUID,
    channel: str,
    reached: bool,
    note: str | None,
    at: datetime | None,
    *,
    uow: UnitOfWork,
    actor: str,
) -> None:
    """Notes a contact (or an attempt) with the person; a reached contact resets the
    'no contact for N days' clock of the early-warning rules."""
    now = datetime.now(UTC)
    with uow:
        if (
            note_contact(
                uow.session,
                concern_id,
                at=min(at or now, now),
                actor=actor,
                channel=channel,
                reached=reached,
                note=note,
            )
            is None
        ):
            raise domain.not_found(concern_id)
        uow.commit()


def refer(
    concern_id: uuid.UUID,
    override: domain.RoutingOverride,
    extra_topics: tuple[str, ...],
    *,
    uow: UnitOfWork,
    ctx: IntakeContext,
    actor: str,
) -> uuid.UUID:
    """Refers a recorded concern to a target the routing table did not choose, with a reason."""
    now = datetime.now(UTC)
    kind = domain.target_kind(override.target_id, ctx.city, "target_id")
    with uow:
        concern = _load(uow, concern_id, lock=True)
        topics = tuple(dict.fromkeys((override.topic, *extra_topics)))
        for index, topic in enumerate(topics):
            if topic not in concern.topics:
                raise domain.UnknownTopic(
                    f"Thema '{topic}' gehört nicht zu diesem Anliegen.",
                    f"Topic '{topic}' is not one of this concern's topics.",
                    field="topics" if index else "topic",
                )
        person = uow.session.get(Person, concern.person_id) if concern.person_id else None
        referral = create_referral(
            uow,
            concern_id=concern_id,
            person_ref=person.person_ref if person else None,
            quarter_id=concern.quarter_id,
            target_kind=kind,
            target_id=override.target_id,
            topics=topics,
            urgency=Urgency(concern.urgency),
            age_band=AgeBand(concern.age_band) if concern.age_band else None,
            rule_id=None,
            override_reason=override.reason,
            created_by=actor,
            policy=ctx.city.policy,
            now=now,
        )
        _history(
            uow,
            concern_id,
            actor,
            "routing_overridden",
            now,
            target_id=override.target_id,
            topics=list(topics),
            reason=override.reason,
        )
        uow.commit()
        return referral.id


def _load(uow: UnitOfWork, concern_id: uuid.UUID, *, lock: bool = False) -> Concern:
    concern = uow.session.get(Concern, concern_id, with_for_update=lock)
    if concern is None:
        raise domain.not_found(concern_id)
    return concern


def _history(
    uow: UnitOfWork,
    concern_id: uuid.UUID,
    actor: str,
    kind: str,
    at: datetime,
    *,
    note: str | None = None,
    **detail: object,
) -> ConcernEvent:
    event = ConcernEvent(concern_id=concern_id, at=at, actor=actor, kind=kind, detail=detail, note=note)
    uow.session.add(event)
    return event
