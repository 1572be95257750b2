"""The one place a carrier gets a person's contact details: only for its own open referral, only
under a referral consent naming it, and every read goes into the audit log in the same
transaction (a refused read writes nothing and reveals nothing)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from qn_contracts.vocabulary import ConsentPurpose, ReferralStatus
from qn_infra.auth import Principal
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..audit.log import record_read
from ..consent.queries import require_consent
from ..persons.models import Person
from . import domain, queries
from .legal_basis import LegalBasis

CASE_WORK = "case_work"


@dataclass(frozen=True)
class ContactDetails:
    given_name: str | None
    family_name: str | None
    phone: str | None
    email: str | None
    street: str | None
    house_number: str | None
    postcode: str | None
    preferred_channel: str | None
    preferred_language: str | None

    def present(self) -> list[str]:
        """Names of the fields that hold something: what the audit log records as read."""
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


def read_contact(uow: UnitOfWork, referral_id: uuid.UUID, *, principal: Principal, now: datetime) -> ContactDetails:
    """The contact details of the referral's person, read and audited in one transaction. A
    carrier gets them for an open referral that went under the person's consent naming it (still
    active), or under a legal basis staff stated for it."""
    viewer = access.viewer_of(principal)
    as_carrier = viewer.carrier is not None
    with uow:
        referral, concern = queries.get_referral(uow.session, referral_id)
        access.check_referral(viewer, referral, concern)
        person = uow.session.get(Person, concern.person_id) if concern.person_id else None
        if person is None or person.erased_at is not None:
            raise _no_contact(erased=person is not None)
        if as_carrier:
            if ReferralStatus(referral.status) in domain.FINAL:
                raise domain.ReferralClosed(
                    f"Die Überweisung ist abgeschlossen ('{referral.status}'); "
                    "Kontaktdaten gibt es nur für offene Überweisungen.",
                    f"The referral is final ('{referral.status}'); contact details are given for open referrals only.",
                )
            if referral.legal_basis in (None, LegalBasis.CONSENT.value):
                require_consent(
                    uow.session, person.id, ConsentPurpose.REFERRAL.value, carrier_id=referral.target_id, now=now
                )
        details = ContactDetails(
            given_name=person.given_name,
            family_name=person.family_name,
            phone=person.phone,
            email=person.email,
            street=person.street,
            house_number=person.house_number,
            postcode=person.postcode,
            preferred_channel=concern.contact_channel or person.preferred_channel,
            preferred_language=concern.language or person.preferred_language,
        )
        record_read(
            uow.session,
            principal,
            at=now,
            purpose=ConsentPurpose.REFERRAL.value if as_carrier else CASE_WORK,
            subject_type="person",
            subject_id=str(person.id),
            fields=details.present(),
        )
        uow.commit()
        return details


def _no_contact(*, erased: bool) -> domain.NoContactDetails:
    if erased:
        return domain.NoContactDetails(
            "Die Daten der Person wurden gelöscht; es gibt keine Kontaktdaten mehr.",
            "The person's data has been erased; there are no contact details any more.",
        )
    return domain.NoContactDetails(
        "Das Anliegen ist anonym: es ist keine Person mit Kontaktdaten erfasst.",
        "The concern is anonymous: no person with contact details is recorded.",
    )
