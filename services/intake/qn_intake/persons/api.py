"""HTTP routes for persons: translate, call a handler, translate back. Reads say why (`purpose`);
every person shown is written to the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from qn_infra.auth import Principal

from ..access import POLICY
from ..context import intake_context
from . import erasure, handlers
from .domain import PersonData
from .schemas import (
    ErasureOut,
    PersonCreated,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonSearchResult,
    PersonSummary,
    ReadPurpose,
)

router = APIRouter(tags=["persons"])

NAME_SEARCH = "Name or part of it (every word must occur); case, ä/ae and hyphens do not matter."
# at least two letters or digits of a name: nobody lists the whole register with one keystroke
TWO_LETTERS = r"^([^\x00-\x1f\x7f]*[0-9A-Za-zÄÖÜäöüß]){2}[^\x00-\x1f\x7f]*$"
PURPOSE = Query(description="Why the data is read; written to the audit log.")


def person_data(body: PersonIn) -> PersonData:
    address = body.address
    return PersonData(
        given_name=body.given_name,
        family_name=body.family_name,
        birth_year=body.birth_year,
        phone=body.phone,
        email=body.email,
        street=address.street if address else None,
        house_number=address.house_number if address else None,
        postcode=address.postcode if address else None,
        quarter_id=body.quarter_id,
        preferred_channel=body.preferred_channel,
        preferred_language=body.preferred_language,
    )


@router.post("/persons", status_code=201, response_model=PersonCreated, summary="Record a person (minimal data)")
def create_person(
    body: PersonIn, request: Request, response: Response, principal: Annotated[Principal, POLICY.guard("POST /persons")]
) -> PersonCreated:
    ctx = intake_context(request)
    person, duplicates = handlers.create_person(
        request.app.state.runtime.unit_of_work(),
        person_data(body),
        principal=principal,
        city=ctx.city,
        directory=ctx.directory,
        now=request.app.state.runtime.clock.now(),
    )
    response.headers["Location"] = f"/persons/{person.id}"
    return PersonCreated(
        **PersonOut.model_validate(person).model_dump(),
        possible_duplicates=[PersonSummary.model_validate(d) for d in duplicates],
    )


@router.get("/persons", response_model=PersonSearchResult, summary="Find a person by name (and birth year)")
def search_persons(
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /persons")],
    name: Annotated[str, Query(min_length=2, max_length=200, pattern=TWO_LETTERS, description=NAME_SEARCH)],
    birth_year: Annotated[int | None, Query(ge=1890, le=2100)] = None,
    purpose: Annotated[ReadPurpose, PURPOSE] = "case_work",
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> PersonSearchResult:
    hits, truncated = handlers.search_persons(
        request.app.state.runtime.unit_of_work(),
        name=name,
        birth_year=birth_year,
        principal=principal,
        purpose=purpose,
        limit=limit,
    )
    return PersonSearchResult(results=[PersonSummary.model_validate(p) for p in hits], truncated=truncated)


@router.get("/persons/{person_id}", response_model=PersonOut, summary="Read a person's data (audited)")
def read_person(
    person_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("GET /persons/{person_id}")],
    purpose: Annotated[ReadPurpose, PURPOSE] = "case_work",
) -> PersonOut:
    person = handlers.read_person(
        request.app.state.runtime.unit_of_work(), person_id, principal=principal, purpose=purpose
    )
    return PersonOut.model_validate(person)


@router.patch("/persons/{person_id}", response_model=PersonOut, summary="Correct a person's data")
def update_person(
    person_id: uuid.UUID,
    body: PersonPatch,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("PATCH /persons/{person_id}")],
) -> PersonOut:
    sent = body.model_fields_set
    data = person_data(body)
    changes: dict[str, object] = {f: getattr(data, f) for f in sent if f in PersonData.__dataclass_fields__}
    if "address" in sent:
        changes.update(street=data.street, house_number=data.house_number, postcode=data.postcode)
    ctx = intake_context(request)
    person = handlers.update_person(
        request.app.state.runtime.unit_of_work(),
        person_id,
        changes,
        principal=principal,
        city=ctx.city,
        directory=ctx.directory,
        now=request.app.state.runtime.clock.now(),
    )
    return PersonOut.model_validate(person)


@router.delete("/persons/{person_id}", response_model=ErasureOut, summary="Erase a person's data (GDPR Art. 17)")
def erase_person(
    person_id: uuid.UUID,
    request: Request,
    principal: Annotated[Principal, POLICY.guard("DELETE /persons/{person_id}")],
) -> ErasureOut:
    runtime = request.app.state.runtime
    person = erasure.erase_person(
        runtime.unit_of_work(),
        person_id,
        principal=principal,
        bus=intake_context(request).bus,
        now=runtime.clock.now(),
    )
    return ErasureOut.model_validate(person)
