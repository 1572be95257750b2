"""Coordinators answer data-protection requests: who looked at a person (intake's audit log,
which cannot be changed) and erasing a person's data, after a confirmation page."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..access import POLICY
from ..messages import language
from ..pages import render
from ..session import SignedIn

router = APIRouter()
AUDIT_PAGE = 50


@router.get("/protokoll", response_class=HTMLResponse)
async def audit_log(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /protokoll")],
    person: uuid.UUID | None = None,
    konto: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    found = await request.app.state.intake.call(
        user,
        language(request),
        "GET",
        "/audit",
        params={"subject_id": str(person) if person else None, "actor": konto.strip(), "limit": AUDIT_PAGE},
    )
    items = found.get("entries", []) if isinstance(found, dict) else found
    return render(request, "audit.html", items=items or [], person=person or "", actor=konto)


@router.get("/personen/{person_id}/loeschen", response_class=HTMLResponse)
async def confirm_erasure(
    request: Request,
    person_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /personen/{person_id}/loeschen")],
) -> HTMLResponse:
    person = await request.app.state.intake.call(
        user, language(request), "GET", f"/persons/{person_id}", params={"purpose": "data_protection_request"}
    )
    return render(request, "erase.html", person=person, erased_at=None)


@router.post("/personen/{person_id}/loeschen", response_class=HTMLResponse)
async def erase_person(
    request: Request,
    person_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /personen/{person_id}/loeschen")],
) -> Response:
    erased = await request.app.state.intake.call(user, language(request), "DELETE", f"/persons/{person_id}")
    return render(request, "erase.html", person={"id": str(person_id)}, erased_at=erased.get("erased_at"))
