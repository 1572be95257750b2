"""Rules for the minimal personal data intake keeps about a person. No framework, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from qn_infra.errors import Invalid, NotFound

from ..addresses.normalize import fold, street_key
from ..city import City

PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "birth_year",
    "phone",
    "email",
    "street",
    "house_number",
    "postcode",
    "quarter_id",
    "preferred_channel",
    "preferred_language",
)
"""Everything erasure blanks, and what a full read of a person shows."""

SUMMARY_FIELDS = ("given_name", "family_name", "birth_year", "street", "house_number", "postcode", "quarter_id")
"""What a search hit or a duplicate suggestion shows: enough to recognise someone, no contact details."""

CHANNELS = ("phone", "email", "letter", "home_visit", "in_person")
OLDEST_AGE = 130

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class PersonData:
    given_name: str | None = None
    family_name: str | None = None
    birth_year: int | None = None
    phone: str | None = None
    email: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    quarter_id: str | None = None
    preferred_channel: str | None = None
    preferred_language: str | None = None


class PersonNotFound(NotFound):
    code = "person_not_found"


class PersonErasedError(NotFound):
    """The person's data was erased; the record keeps only ids and cannot be read."""

    code = "person_erased"


class UnknownPerson(Invalid):
    """A request names a person that does not exist (or was erased)."""

    code = "unknown_person"


class InvalidPerson(Invalid):
    code = "invalid_person"


def name_tokens(text: str) -> list[str]:
    """'Anna-Maria  Schütz' -> ['anna', 'maria', 'schuetz']"""
    return [t for t in _NOT_ALNUM.split(fold(text)) if t]


def name_key(given_name: str | None, family_name: str | None) -> str | None:
    """The folded full name, for duplicate suggestions and search."""
    tokens = name_tokens(f"{given_name or ''} {family_name or ''}")
    return " ".join(tokens) or None


def street_key_of(street: str | None) -> str | None:
    return street_key(street) or None if street else None


def not_found(person_id: object) -> PersonNotFound:
    return PersonNotFound(
        f"Person {person_id} gibt es nicht.", f"Person {person_id} does not exist.", field="person_id"
    )


def erased(person_id: object) -> PersonErasedError:
    return PersonErasedError(
        f"Die Daten der Person {person_id} wurden gelöscht.",
        f"The data of person {person_id} has been erased.",
        field="person_id",
    )


def check_person(data: PersonData, city: City, now: datetime) -> None:
    """A person needs something to recognise or reach them by; the rest is optional."""
    if not any((data.given_name, data.family_name, data.phone, data.email)):
        raise InvalidPerson(
            "Bitte mindestens einen Namen, eine Telefonnummer oder eine E-Mail-Adresse angeben.",
            "Please give at least a name, a phone number or an email address.",
            field="family_name",
        )
    if data.birth_year is not None and not (now.year - OLDEST_AGE <= data.birth_year <= now.year):
        raise InvalidPerson(
            f"Geburtsjahr {data.birth_year} ist nicht möglich (zwischen {now.year - OLDEST_AGE} und {now.year}).",
            f"Birth year {data.birth_year} is not possible (between {now.year - OLDEST_AGE} and {now.year}).",
            field="birth_year",
        )
    if data.quarter_id is not None and city.quarter(data.quarter_id) is None:
        known = ", ".join(sorted(city.quarters))
        raise InvalidPerson(
            f"Quartier '{data.quarter_id}' gibt es nicht. Bekannte Quartiere: {known}.",
            f"Unknown quarter '{data.quarter_id}'. Known quarters: {known}.",
            field="quarter_id",
        )
    if data.preferred_channel is not None and data.preferred_channel not in CHANNELS:
        raise InvalidPerson(
            f"Kontaktweg '{data.preferred_channel}' gibt es nicht; erlaubt: {', '.join(CHANNELS)}.",
            f"Unknown contact channel '{data.preferred_channel}'; allowed: {', '.join(CHANNELS)}.",
            field="preferred_channel",
        )


UMLAUT_SPELLINGS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
"""Names are folded with ä -> ae; people searching also type 'Schroder' for 'Schröder'. A search
compares both sides with these reduced to a plain vowel (a few more hits, never fewer)."""


def without_umlaut_spelling(token: str) -> str:
    for spelled, plain in UMLAUT_SPELLINGS:
        token = token.replace(spelled, plain)
    return token


def search_tokens(name: str) -> list[str]:
    """The folded words of a name search; a search must say at least two letters of a name, so a
    staff member cannot list the whole register with one keystroke."""
    tokens = name_tokens(name)
    if sum(len(t) for t in tokens) < 2:
        raise InvalidPerson(
            "Bitte mindestens zwei Buchstaben des Namens angeben.",
            "Please give at least two letters of the name.",
            field="name",
        )
    return tokens
