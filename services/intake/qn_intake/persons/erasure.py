"""Erasure (GDPR Art. 17): the person's data is blanked, the ids stay so that the audit log and the
statistics keep their meaning, and every other service is told to forget the reference."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update

from qn_contracts.intake import PersonErased
from qn_infra.auth import Principal
from qn_infra.unit_of_work import UnitOfWork

from ..audit.log import record_read
from ..concerns.models import Concern, ConcernEvent
from ..consent.models import Consent
from ..help_requests.handlers import cancel_help_for_person
from .domain import PERSONAL_FIELDS
from .handlers import SUBJECT, load_person
from .models import Person

# The person's address and free text also sit on their concerns; they go with the person.
CONCERN_PERSONAL_FIELDS = ("street", "house_number", "postcode", "note", "contact_channel", "language")


def erase_person(uow: UnitOfWork, person_id: uuid.UUID, *, principal: Principal, now: datetime) -> Person:
    """Blanks every personal field, withdraws the person's consents, cancels help not yet given,
    emits `PersonErased` (the reference only) and logs the erasure itself in the audit log."""
    with uow:
        session = uow.session
        person = load_person(session, person_id)
        for field in (*PERSONAL_FIELDS, "name_key", "street_key"):
            setattr(person, field, None)
        person.erased_at = now
        # consent records stay as proof of what was allowed, without free text; none stays active
        session.execute(update(Consent).where(Consent.person_id == person.id).values(note=None))
        session.execute(
            update(Consent)
            .where(Consent.person_id == person.id, Consent.withdrawn_at.is_(None))
            .values(withdrawn_at=now, withdrawn_recorded_by=principal.subject)
        )
        cancel_help_for_person(session, person_id=person.id, now=now)
        concern_ids = select(Concern.id).where(Concern.person_id == person.id)
        session.execute(
            update(Concern).where(Concern.person_id == person.id).values(**dict.fromkeys(CONCERN_PERSONAL_FIELDS))
        )
        session.execute(update(ConcernEvent).where(ConcernEvent.concern_id.in_(concern_ids)).values(note=None))
        record_read(
            session,
            principal,
            purpose="erasure",
            subject_type=SUBJECT,
            subject_id=str(person.id),
            fields=list(PERSONAL_FIELDS),
            action="erase",
        )
        uow.emit(PersonErased(person_ref=person.person_ref))
        uow.commit()
        session.expunge_all()
    return person
