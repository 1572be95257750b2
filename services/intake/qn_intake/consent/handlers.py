"""Use cases for consent: record, list, withdraw. Recording a consent releases what waited for it
(help requests, referrals to the named carrier); withdrawing the last one for a purpose stops the
processing under it. Other areas react through the bus; this module changes only consents."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update

from qn_contracts.intake import ConsentWithdrawn
from qn_contracts.vocabulary import ConsentPurpose
from qn_infra.auth import Principal
from qn_infra.database import blank_personal
from qn_infra.unit_of_work import UnitOfWork

from .. import access, internal_events
from ..access import Viewer
from ..audit.log import record_read
from ..bus import MessageBus
from ..city import City
from ..persons.handlers import load_person
from ..persons.models import Person
from . import domain
from .models import Consent
from .queries import active_consent, consents_of


@dataclass
class Recorded:
    consent: Consent
    released_help_requests: list[uuid.UUID] = field(default_factory=list)
    released_referrals: list[uuid.UUID] = field(default_factory=list)


@dataclass
class Withdrawn:
    consent: Consent
    cancelled_help_requests: list[uuid.UUID] = field(default_factory=list)
    cancelled_referrals: int = 0
    still_covered_by: uuid.UUID | None = None


def record_consent(
    uow: UnitOfWork,
    person_id: uuid.UUID,
    cmd: domain.GiveConsent,
    *,
    viewer: Viewer,
    city: City,
    bus: MessageBus,
    now: datetime,
) -> Recorded:
    """Records a consent; what waited for it goes on (help to matching, referrals to the carrier)."""
    given_at = domain.check_consent(cmd, city, now)
    with uow:
        person = load_person(uow.session, person_id)
        access.check_person(uow.session, viewer, person)
        consent = Consent(
            id=uuid.uuid4(),
            person_id=person.id,
            purpose=cmd.purpose.value,
            carrier_id=cmd.carrier_id,
            given_by=cmd.given_by,
            form=cmd.form,
            given_at=given_at,
            expires_at=cmd.expires_at,
            recorded_by=viewer.subject,
            note=cmd.note,
        )
        uow.session.add(consent)
        uow.session.flush()
        affected: list[internal_events.Affected] = []
        if domain.is_active(None, given_at, cmd.expires_at, now):
            given = internal_events.ConsentGiven(
                person.id, consent.id, cmd.purpose.value, cmd.carrier_id, actor=viewer.subject, at=now
            )
            affected = bus.publish(given, uow)
        uow.commit()
        uow.session.expunge_all()
    return Recorded(
        consent,
        released_help_requests=_ids(affected, "help_requests_released"),
        released_referrals=_ids(affected, "referrals_released"),
    )


def _ids(affected: list[internal_events.Affected], kind: str) -> list[uuid.UUID]:
    return [i for a in affected if a.kind == kind for i in a.ids]


def list_consents(
    uow: UnitOfWork, person_id: uuid.UUID, *, principal: Principal, viewer: Viewer, purpose: str
) -> list[Consent]:
    """The person's consent records, newest first; showing them is an audited read."""
    with uow:
        person = load_person(uow.session, person_id)
        access.check_person(uow.session, viewer, person)
        consents = consents_of(uow.session, person.id)
        record_read(
            uow.session,
            principal,
            at=uow.clock.now(),
            purpose=purpose,
            subject_type="person",
            subject_id=str(person.id),
            fields=["consents"],
        )
        uow.commit()
        uow.session.expunge_all()
    return consents


def withdraw_consent(
    uow: UnitOfWork, consent_id: uuid.UUID, *, viewer: Viewer, bus: MessageBus, now: datetime
) -> Withdrawn:
    """Withdraws a consent. When no other active consent covers the same purpose (and carrier),
    emits `ConsentWithdrawn` and stops what ran under it: waiting or requested help is cancelled,
    open referrals to the carrier that went under consent are cancelled; follow-up contacts check
    consent themselves."""
    actor = viewer.subject
    with uow:
        session = uow.session
        consent = session.get(Consent, consent_id)
        if consent is None:
            raise domain.ConsentNotFound(
                f"Einwilligung {consent_id} gibt es nicht.", f"Consent {consent_id} does not exist.", field="consent_id"
            )
        owner = session.get(Person, consent.person_id)
        assert owner is not None  # a consent always belongs to a person (foreign key)
        access.check_person(session, viewer, owner, field="consent_id")
        if consent.withdrawn_at is not None:
            raise domain.ConsentAlreadyWithdrawn(
                f"Die Einwilligung wurde bereits am {consent.withdrawn_at:%d.%m.%Y} widerrufen.",
                f"The consent was already withdrawn on {consent.withdrawn_at:%Y-%m-%d}.",
                field="consent_id",
                extra={"withdrawn_at": consent.withdrawn_at.isoformat()},
            )
        consent.withdrawn_at = now
        consent.withdrawn_recorded_by = actor
        session.flush()
        result = Withdrawn(consent)
        other = active_consent(session, consent.person_id, consent.purpose, carrier_id=consent.carrier_id, now=now)
        if other is not None:
            # another consent (e.g. from the legal representative) still allows the processing
            result.still_covered_by = other.id
        else:
            person = session.get(Person, consent.person_id)
            assert person is not None  # a consent always belongs to a person (foreign key)
            uow.emit(
                ConsentWithdrawn(
                    person_ref=person.person_ref, purpose=ConsentPurpose(consent.purpose), carrier_id=consent.carrier_id
                )
            )
            ended = internal_events.ConsentEnded(person.id, consent.purpose, consent.carrier_id, actor=actor, at=now)
            affected = bus.publish(ended, uow)
            result.cancelled_help_requests = _ids(affected, "help_requests_cancelled")
            result.cancelled_referrals = len(_ids(affected, "referrals_cancelled"))
        uow.commit()
        session.expunge_all()
    return result


def on_person_erased(event: internal_events.PersonErased, uow: UnitOfWork) -> None:
    """Reaction: erasure -- consent records stay as proof of what was allowed, without free text;
    none stays active."""
    session = uow.session
    blank_personal(session, Consent, Consent.person_id == event.person_id)
    session.execute(
        update(Consent)
        .where(Consent.person_id == event.person_id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=event.at, withdrawn_recorded_by=event.actor[:200])
    )
