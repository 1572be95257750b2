"""Erasure (GDPR Art. 17): the person's data is blanked, the ids stay so that the audit log and the
statistics keep their meaning, and every other service is told to forget the reference.

Each area erases its own tables: this module publishes `PersonErased` on intake's bus, and the
reactions wired in the composition root (concerns, consent, referrals, help requests, signals,
and this area's `forget_person`) blank every column they mark as personal."""

from __future__ import annotations

import uuid
from datetime import datetime

from qn_contracts.intake import PersonErased
from qn_infra.auth import Principal
from qn_infra.database import blank_personal
from qn_infra.unit_of_work import UnitOfWork

from .. import internal_events
from ..audit.log import record_read
from ..bus import MessageBus
from .domain import PERSONAL_FIELDS
from .handlers import SUBJECT, load_person
from .models import Person


def erase_person(
    uow: UnitOfWork, person_id: uuid.UUID, *, principal: Principal, bus: MessageBus, now: datetime
) -> Person:
    """Erases everything intake holds about a person, in one transaction, and logs the erasure
    itself in the audit log."""
    with uow:
        session = uow.session
        person = load_person(session, person_id)
        bus.publish(internal_events.PersonErased(person.id, actor=principal.subject, at=now), uow)
        record_read(
            session,
            principal,
            at=now,
            purpose="erasure",
            subject_type=SUBJECT,
            subject_id=str(person.id),
            fields=list(PERSONAL_FIELDS),
            action="erase",
        )
        uow.commit()
        session.refresh(person)  # other areas' bulk updates expired it
        session.expunge_all()
    return person


def forget_person(event: internal_events.PersonErased, uow: UnitOfWork) -> None:
    """Reaction: the person's own record keeps its ids only; `PersonErased` tells the other services."""
    person = uow.session.get(Person, event.person_id)
    assert person is not None
    uow.session.flush()
    blank_personal(uow.session, Person, Person.id == person.id)
    uow.session.refresh(person)
    person.erased_at = event.at
    uow.emit(PersonErased(person_ref=person.person_ref))
