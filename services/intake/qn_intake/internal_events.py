"""What happens inside intake that more than one area reacts to. Plain data, past tense; these
never leave the process (the events other services see are in `qn_contracts.intake`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PersonErased:
    """A person's data is being erased (GDPR Art. 17): every area blanks what it holds of them."""

    person_id: uuid.UUID
    actor: str
    at: datetime


@dataclass(frozen=True)
class ConsentEnded:
    """The last active consent for a purpose (and carrier) was withdrawn: processing under it stops."""

    person_id: uuid.UUID
    purpose: str
    carrier_id: str | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class ConsentGiven:
    """A consent was recorded: what waited for it may go now."""

    person_id: uuid.UUID
    consent_id: uuid.UUID
    purpose: str
    carrier_id: str | None
    actor: str
    at: datetime


@dataclass(frozen=True)
class ConcernClosed:
    """A concern was closed: what still waited in intake for it ends."""

    concern_id: uuid.UUID
    actor: str
    at: datetime


@dataclass(frozen=True)
class PersonLinked:
    """An anonymous concern now names its person: what waited for a person may go on."""

    concern_id: uuid.UUID
    person_id: uuid.UUID
    actor: str
    at: datetime


@dataclass(frozen=True)
class Affected:
    """What a reaction changed, for the answer of the request that caused it."""

    kind: str
    """help_requests_released, referrals_released, help_requests_cancelled, referrals_cancelled"""
    ids: tuple[uuid.UUID, ...]
