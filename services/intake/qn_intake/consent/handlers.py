"""Use cases for consent: record, list, withdraw. Recording a neighbourly-help consent releases
the person's waiting help requests; withdrawing one stops processing under its purpose."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from qn_contracts.intake import ConsentWithdrawn
from qn_contracts.vocabulary import ConsentPurpose
from qn_infra.auth import Principal
from qn_infra.unit_of_work import UnitOfWork

from ..audit.log import record_read
from ..city import City
from ..help_requests.handlers import cancel_help_for_person, release_waiting_help
from ..persons.handlers import load_person
from ..persons.models import Person
from ..referrals import handlers as referral_handlers
from . import domain
from .models import Consent
from .queries import active_consent, consents_of


@dataclass
class Recorded:
    consent: Consent
    released_help_requests: list[uuid.UUID] = field(default_factory=list)


@dataclass
class Withdrawn:
    consent: Consent
    cancelled_help_requests: list[uuid.UUID] = field(default_factory=list)
    cancelled_referrals: int = 0
    still_covered_by: uuid.UUID | None = None


def record_consent(
    uow: UnitOfWork, person_id: uuid.UUID, cmd: domain.GiveConsent, *, recorded_by: str, city: City, now: datetime
) -> Recorded:
    """Records a consent; for neighbourly help, the person's waiting help requests go to matching."""
    given_at = domain.check_consent(cmd, city, now)
    with uow:
        person = load_person(uow.session, person_id)
        consent = Consent(
            id=uuid.uuid4(),
            person_id=person.id,
            purpose=cmd.purpose.value,
            carrier_id=cmd.carrier_id,
            given_by=cmd.given_by,
            form=cmd.form,
            given_at=given_at,
            expires_at=cmd.expires_at,
            recorded_by=recorded_by,
            note=cmd.note,
        )
        uow.session.add(consent)
        uow.session.flush()
        released = []
        if cmd.purpose == ConsentPurpose.NEIGHBOURLY_HELP:
            released = release_waiting_help(uow, person_id=person.id, now=now)
        uow.commit()
        uow.session.expunge_all()
    return Recorded(consent, released)


def list_consents(uow: UnitOfWork, person_id: uuid.UUID, *, principal: Principal, purpose: str) -> list[Consent]:
    """The person's consent records, newest first; showing them is an audited read."""
    with uow:
        person = load_person(uow.session, person_id)
        consents = consents_of(uow.session, person.id)
        record_read(
            uow.session,
            principal,
            purpose=purpose,
            subject_type="person",
            subject_id=str(person.id),
            fields=["consents"],
        )
        uow.commit()
        uow.session.expunge_all()
    return consents


def withdraw_consent(uow: UnitOfWork, consent_id: uuid.UUID, *, actor: str, now: datetime) -> Withdrawn:
    """Withdraws a consent. When no other active consent covers the same purpose (and carrier),
    emits `ConsentWithdrawn` and stops what ran under it: waiting or requested help is cancelled,
    open referrals to the carrier are cancelled; follow-up contacts check consent themselves."""
    with uow:
        session = uow.session
        consent = session.get(Consent, consent_id)
        if consent is None:
            raise domain.ConsentNotFound(
                f"Einwilligung {consent_id} gibt es nicht.", f"Consent {consent_id} does not exist.", field="consent_id"
            )
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
            if consent.purpose == ConsentPurpose.NEIGHBOURLY_HELP:
                result.cancelled_help_requests = cancel_help_for_person(session, person_id=person.id, now=now)
            elif consent.purpose == ConsentPurpose.REFERRAL:
                result.cancelled_referrals = referral_handlers.cancel_open_referrals_for_consent(
                    uow, person_id=person.id, carrier_id=consent.carrier_id, actor=actor, now=now
                )
        uow.commit()
        session.expunge_all()
    return result
