"""Which consent counts now: not withdrawn, already given, not expired -- and, for a referral, given
for exactly that carrier."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from qn_contracts.vocabulary import ConsentPurpose

from .domain import ConsentMissing
from .models import Consent


def active_consent(
    session: Session, person_id: uuid.UUID, purpose: str, *, carrier_id: str | None = None, now: datetime
) -> Consent | None:
    """The person's active consent for `purpose` (for a referral: to `carrier_id`), newest first."""
    statement = select(Consent).where(
        Consent.person_id == person_id,
        Consent.purpose == str(purpose),
        Consent.withdrawn_at.is_(None),
        Consent.given_at <= now,
        or_(Consent.expires_at.is_(None), Consent.expires_at > now),
    )
    if str(purpose) == ConsentPurpose.REFERRAL:
        # a referral consent names one carrier; without a carrier nothing can match
        statement = statement.where(Consent.carrier_id == carrier_id) if carrier_id else statement.where(false())
    statement = statement.order_by(Consent.given_at.desc(), Consent.id).limit(1)
    return session.scalars(statement).first()


def require_consent(
    session: Session, person_id: uuid.UUID, purpose: str, *, carrier_id: str | None = None, now: datetime
) -> Consent:
    """The active consent, or `ConsentMissing` (403) saying which consent is missing."""
    consent = active_consent(session, person_id, purpose, carrier_id=carrier_id, now=now)
    if consent is None:
        raise ConsentMissing(str(purpose), carrier_id=carrier_id)
    return consent


def consents_of(session: Session, person_id: uuid.UUID) -> list[Consent]:
    """Every consent record of a person, newest first (withdrawn and expired ones included)."""
    statement = select(Consent).where(Consent.person_id == person_id).order_by(Consent.given_at.desc(), Consent.id)
    return list(session.scalars(statement))
