"""What the person API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# one line of text without control characters (PostgreSQL refuses NUL; nobody types a tab in a name)
Line = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^\x00-\x1f\x7f]*$")]
_MAILBOX = r"[^@\s\x00-\x1f\x7f]+"
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=rf"^{_MAILBOX}@{_MAILBOX}\.{_MAILBOX}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[(0-9][0-9 ()/.\-]*$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
ContactChannel = Literal["phone", "email", "letter", "home_visit", "in_person"]
ReadPurpose = Literal["case_work", "referral", "follow_up", "neighbourly_help", "data_protection_request"]

BIRTH_YEAR = Field(None, ge=1890, le=2100, description="Year of birth (the year only).", examples=[1941])


class PersonAddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: Line = Field(min_length=1, max_length=200, description="Street as typed.", examples=["Franzstr."])
    house_number: Line | None = Field(None, max_length=20, description="House number, with suffix.", examples=["147"])
    postcode: Line | None = Field(None, max_length=10, description="Postcode, if known.", examples=["06842"])


# a person needs something to recognise or reach them by: one of these, not blank
_SOMETHING_TO_GO_BY = {
    "anyOf": [
        {"required": [name], "properties": {name: {"type": "string", "pattern": r"[^\s]"}}}
        for name in ("given_name", "family_name", "phone", "email")
    ]
}


class PersonIn(BaseModel):
    """Only what the team needs to reach the person and recognise them again."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_SOMETHING_TO_GO_BY)

    given_name: Line | None = Field(None, max_length=100, examples=["Erika"])
    family_name: Line | None = Field(None, max_length=100, examples=["Musterfrau"])
    birth_year: int | None = BIRTH_YEAR
    phone: Phone | None = Field(None, max_length=50, examples=["0340 123456"])
    email: Email | None = Field(None, max_length=200, examples=["erika@example.org"])
    address: PersonAddressIn | None = Field(None, description="Home address; resolves the person's quarter.")
    quarter_id: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Quarter, when no address is given (an address wins).",
    )
    preferred_channel: ContactChannel | None = Field(None, description="How the person wants to be contacted.")
    preferred_language: Language | None = Field(None, description="Language to talk in (ISO 639-1).", examples=["de"])


class PersonPatch(PersonIn):
    """Only the fields sent are changed; `null` clears a field, `address: null` the whole address."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=None)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_ref: uuid.UUID = Field(description="Random pseudonymous reference used in events.")
    given_name: str | None
    family_name: str | None
    birth_year: int | None
    phone: str | None
    email: str | None
    street: str | None
    house_number: str | None
    postcode: str | None
    quarter_id: str | None
    preferred_channel: str | None
    preferred_language: str | None
    team_id: str | None = Field(description="The team that recorded the person (its staff may see them).")
    created_at: datetime
    created_by: str


class PersonSummary(BaseModel):
    """Enough to recognise a person in a list: no contact details."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    given_name: str | None
    family_name: str | None
    birth_year: int | None
    street: str | None
    house_number: str | None
    postcode: str | None
    quarter_id: str | None
    created_at: datetime


class PersonCreated(PersonOut):
    possible_duplicates: list[PersonSummary] = Field(
        description="Persons with the same name, birth year and street: a suggestion for staff; nothing is merged."
    )


class PersonSearchResult(BaseModel):
    results: list[PersonSummary]
    truncated: bool = Field(description="True when more persons matched than shown: search more precisely.")


class ErasureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_ref: uuid.UUID
    erased_at: datetime
