"""Rules for registering for an occurrence of an offer with limited places. Plain data in,
decisions out. A registration holds places (an anonymous count, or intake's pseudonymous person
reference); the waitlist moves up in the order people asked, each one that fits the freed places
(a family of four does not hold up a single person behind it)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from qn_infra.errors import Conflict, Invalid, NotFound


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Held:
    registration_id: uuid.UUID
    places: int


class RegistrationNotFound(NotFound):
    code = "registration_not_found"


class NoRegistration(Invalid):
    code = "no_registration"


class AlreadyRegistered(Conflict):
    code = "already_registered"


class RegistrationCancelled(Conflict):
    code = "registration_already_cancelled"


def status_for(places: int, capacity: int, taken: int, anyone_waiting: bool) -> RegistrationStatus:
    """A new registration gets places if they are free and nobody waits ahead of it."""
    if not anyone_waiting and taken + places <= capacity:
        return RegistrationStatus.REGISTERED
    return RegistrationStatus.WAITING


def moving_up(waiting: Sequence[Held], capacity: int, taken: int) -> list[uuid.UUID]:
    """The waiting registrations (earliest first) that get places now, each one that fits."""
    promoted = []
    for held in waiting:
        if taken + held.places <= capacity:
            taken += held.places
            promoted.append(held.registration_id)
    return promoted


def check_places(places: int, capacity: int) -> None:
    if places > capacity:
        raise NoRegistration(
            f"Das Angebot hat nur {capacity} Plätze.", f"The offer has only {capacity} places.", field="places"
        )


def no_registration() -> NoRegistration:
    return NoRegistration(
        "Für dieses Angebot gibt es keine begrenzten Plätze (keine Kapazität angegeben); "
        "eine Anmeldung ist nicht nötig.",
        "This offer has no limited places (no capacity given); no registration is needed.",
        field="occurrence_id",
    )


def not_open(status: str) -> NoRegistration:
    return NoRegistration(
        f"Für diesen Termin ist keine Anmeldung möglich ({status}).",
        f"Registration is not possible for this occurrence ({status}).",
        field="occurrence_id",
    )


def already_registered() -> AlreadyRegistered:
    return AlreadyRegistered(
        "Diese Person ist für diesen Termin schon angemeldet.",
        "This person is already registered for this occurrence.",
        field="person_ref",
    )


def registration_not_found(registration_id: uuid.UUID) -> RegistrationNotFound:
    return RegistrationNotFound(
        f"Anmeldung {registration_id} gibt es nicht.",
        f"Registration {registration_id} does not exist.",
        field="registration_id",
    )


def already_cancelled() -> RegistrationCancelled:
    return RegistrationCancelled("Die Anmeldung ist bereits storniert.", "The registration is already cancelled.")
