"""Use cases for persons: one verb per function. Every function that shows a person's data writes
an audit entry in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from qn_infra.auth import Principal
from qn_infra.unit_of_work import UnitOfWork

from .. import access
from ..access import Viewer
from ..addresses.directory import StreetDirectory
from ..addresses.normalize import normalize_postcode
from ..audit.log import record_read
from ..city import City
from . import domain
from .domain import PERSONAL_FIELDS, SUMMARY_FIELDS, PersonData
from .models import Person

SUBJECT = "person"
MAX_DUPLICATES = 10


def add_person(
    session: Session, data: PersonData, *, created_by: str, team_id: str | None, city: City, now: datetime
) -> Person:
    """Adds a person with a random `person_ref` (never derived from the data), belonging to
    `team_id`; the caller commits. `data.quarter_id` is taken as given: resolve an address first
    with `locate`."""
    data = clean(data)
    domain.check_person(data, city, now)
    person = Person(
        id=uuid.uuid4(),
        person_ref=uuid.uuid4(),
        **asdict(data),
        name_key=domain.name_key(data.given_name, data.family_name),
        street_key=domain.street_key_of(data.street),
        created_at=now,
        created_by=created_by,
        team_id=team_id,
    )
    session.add(person)
    return person


def possible_duplicates(session: Session, person: Person, viewer: Viewer) -> list[Person]:
    """Other persons with the same folded name, birth year and street, among those the caller may
    see: a suggestion, never merged."""
    if not (person.name_key and person.birth_year is not None and person.street_key):
        return []
    statement = (
        select(Person)
        .where(
            Person.name_key == person.name_key,
            Person.birth_year == person.birth_year,
            Person.street_key == person.street_key,
            Person.id != person.id,
            Person.erased_at.is_(None),
            access.persons_visible(viewer),
        )
        .order_by(Person.created_at, Person.id)
        .limit(MAX_DUPLICATES)
    )
    return list(session.scalars(statement))


def clean(data: PersonData) -> PersonData:
    """Trims text, turns empty text into None and writes the postcode as five digits."""
    values = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in asdict(data).items()}
    try:
        values["postcode"] = normalize_postcode(values["postcode"])
    except ValueError:
        raise domain.InvalidPerson(
            f"Postleitzahl '{data.postcode}' muss fünf Ziffern haben.",
            f"Postcode '{data.postcode}' must have five digits.",
            field="address.postcode",
        ) from None
    return PersonData(**values)  # type: ignore[arg-type]  # same fields, same types, cleaned


def locate(data: PersonData, directory: StreetDirectory) -> PersonData:
    """Resolves the person's address to the directory's spelling and its quarter; an address that
    does not resolve raises `AddressProblem` (422 with the closest candidates)."""
    data = clean(data)
    if data.street is None:
        return data
    resolved = directory.resolve(data.street, data.house_number, data.postcode)
    return replace(
        data,
        street=resolved.street,
        house_number=resolved.house_number or data.house_number,
        postcode=resolved.postcode or data.postcode,
        quarter_id=resolved.quarter_id,
    )


def load_person(session: Session, person_id: uuid.UUID) -> Person:
    """The person, or 404 when unknown or erased."""
    person = session.get(Person, person_id)
    if person is None:
        raise domain.not_found(person_id)
    if person.erased_at is not None:
        raise domain.erased(person_id)
    return person


def referenced_person(session: Session, person_id: uuid.UUID, viewer: Viewer, *, field: str = "person_id") -> Person:
    """A person named in another request (a concern, a signal): 422 naming the field when unknown
    or erased -- the request is wrong, not the route; 403 when the person is another team's."""
    person = session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        raise domain.UnknownPerson(
            f"Person {person_id} gibt es nicht (oder ihre Daten wurden gelöscht).",
            f"Person {person_id} does not exist (or their data was erased).",
            field=field,
        )
    access.check_person(session, viewer, person, field=field)
    return person


def create_person(
    uow: UnitOfWork, data: PersonData, *, principal: Principal, city: City, directory: StreetDirectory, now: datetime
) -> tuple[Person, list[Person]]:
    """Records a person for the recorder's team and shows staff who might be the same, among the
    persons they may see (each suggestion shown is audited)."""
    viewer = access.viewer_of(principal)
    data = locate(data, directory)
    with uow:
        person = add_person(uow.session, data, created_by=principal.subject, team_id=principal.team, city=city, now=now)
        uow.session.flush()
        duplicates = possible_duplicates(uow.session, person, viewer)
        for other in duplicates:
            record_read(
                uow.session,
                principal,
                at=now,
                purpose="duplicate_check",
                subject_type=SUBJECT,
                subject_id=str(other.id),
                fields=list(SUMMARY_FIELDS),
            )
        uow.commit()
        uow.session.expunge_all()  # detached, fully loaded: safe to read after the session closes
    return person, duplicates


def read_person(uow: UnitOfWork, person_id: uuid.UUID, *, principal: Principal, purpose: str) -> Person:
    """A person's full record; the read is audited."""
    viewer = access.viewer_of(principal)
    with uow:
        person = load_person(uow.session, person_id)
        access.check_person(uow.session, viewer, person)
        record_read(
            uow.session,
            principal,
            at=uow.clock.now(),
            purpose=purpose,
            subject_type=SUBJECT,
            subject_id=str(person.id),
            fields=list(PERSONAL_FIELDS),
        )
        uow.commit()
        uow.session.expunge_all()
    return person


def search_persons(
    uow: UnitOfWork, *, name: str, birth_year: int | None, principal: Principal, purpose: str, limit: int
) -> tuple[list[Person], bool]:
    """Persons whose name contains every word searched for (folded), at most `limit`; each hit
    shown is a read and audited. Returns the hits and whether there were more."""
    tokens = domain.search_tokens(name)
    statement = select(Person).where(Person.erased_at.is_(None), access.persons_visible(access.viewer_of(principal)))
    plain_name = _without_umlaut_spelling(Person.name_key)
    for token in tokens:  # tokens are [a-z0-9] only: nothing to escape in LIKE
        plain_token = domain.without_umlaut_spelling(token)
        statement = statement.where(or_(Person.name_key.like(f"%{token}%"), plain_name.like(f"%{plain_token}%")))
    if birth_year is not None:
        statement = statement.where(Person.birth_year == birth_year)
    statement = statement.order_by(Person.name_key, Person.birth_year, Person.id).limit(limit + 1)
    with uow:
        hits = list(uow.session.scalars(statement))
        shown, more = hits[:limit], len(hits) > limit
        for person in shown:
            record_read(
                uow.session,
                principal,
                at=uow.clock.now(),
                purpose=purpose,
                subject_type=SUBJECT,
                subject_id=str(person.id),
                fields=list(SUMMARY_FIELDS),
                action="search",
            )
        uow.commit()
        uow.session.expunge_all()
    return shown, more


def _without_umlaut_spelling(column: ColumnElement[str | None]) -> ColumnElement[str | None]:
    """`domain.without_umlaut_spelling` in SQL, so that 'Schroder' finds 'Schröder' (= 'schroeder')."""
    for spelled, plain in domain.UMLAUT_SPELLINGS:
        column = func.replace(column, spelled, plain)
    return column


ADDRESS_FIELDS = ("street", "house_number", "postcode")


def update_person(
    uow: UnitOfWork,
    person_id: uuid.UUID,
    changes: dict[str, object],
    *,
    principal: Principal,
    city: City,
    directory: StreetDirectory,
    now: datetime,
) -> Person:
    """Changes some fields (a changed address is resolved again); the change and the record shown
    back are audited."""
    unknown = set(changes) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"not person fields: {sorted(unknown)}")
    viewer = access.viewer_of(principal)
    with uow:
        person = load_person(uow.session, person_id)
        access.check_person(uow.session, viewer, person)
        current = PersonData(**{f: getattr(person, f) for f in PERSONAL_FIELDS})
        merged = replace(current, **changes)  # type: ignore[arg-type]
        if any(f in changes for f in ADDRESS_FIELDS):
            merged = locate(merged, directory)
        merged = clean(merged)
        domain.check_person(merged, city, now)
        changed = [f for f in PERSONAL_FIELDS if getattr(merged, f) != getattr(current, f)]
        for field in changed:
            setattr(person, field, getattr(merged, field))
        person.name_key = domain.name_key(person.given_name, person.family_name)
        person.street_key = domain.street_key_of(person.street)
        if changed:
            record_read(
                uow.session,
                principal,
                at=now,
                purpose="case_work",
                subject_type=SUBJECT,
                subject_id=str(person.id),
                fields=changed,
                action="update",
            )
        record_read(
            uow.session,
            principal,
            at=now,
            purpose="case_work",
            subject_type=SUBJECT,
            subject_id=str(person.id),
            fields=list(PERSONAL_FIELDS),
        )
        uow.commit()
        uow.session.expunge_all()
    return person
