"""Volunteer coordinators: hours waiting for approval -- approve, or return with a reason and a
note for the volunteer (who then logs a corrected entry). Paper slips are entered on the task's
page (`/einsaetze/{id}`), where a coordinator's entry counts as approved."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..messages_matching import RETURN_REASONS
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors

router = APIRouter()


async def hours_page(
    request: Request,
    user: SignedIn,
    *,
    errors: list[FieldError] | None = None,
    saved: str = "",
    status: int = 200,
    entry: str = "",
) -> HTMLResponse:
    lang = language(request)
    found = await request.app.state.matching.call(user, lang, "GET", "/hours")
    return render(
        request,
        "matching/hours.html",
        status=status,
        errors=errors,
        items=found,
        saved=saved,
        failed_entry=entry,
        reasons=RETURN_REASONS,
    )


@router.get("/stunden", response_class=HTMLResponse)
async def hours_queue(
    request: Request, user: Annotated[SignedIn, POLICY.guard("GET /stunden")], gespeichert: str = ""
) -> HTMLResponse:
    return await hours_page(request, user, saved=gespeichert[:20])


async def _decide(
    request: Request, user: SignedIn, entry_id: uuid.UUID, verb: str, body: dict[str, str] | None, saved: str
) -> Response:
    lang = language(request)
    try:
        await request.app.state.matching.call(user, lang, "POST", f"/hours/{entry_id}/{verb}", json=body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        # the fields of one entry's form carry its id, so the summary links to the right row
        fields = {"reason": f"reason-{entry_id}", "note": f"note-{entry_id}"}
        errors = field_errors(problem, fields, default=f"reason-{entry_id}")
        return await hours_page(request, user, errors=errors, status=problem.status, entry=str(entry_id))
    return RedirectResponse(f"/stunden?gespeichert={saved}", status_code=303)


@router.post("/stunden/{entry_id}/freigeben", response_class=HTMLResponse)
async def approve(
    request: Request, entry_id: uuid.UUID, user: Annotated[SignedIn, POLICY.guard("POST /stunden/{entry_id}/freigeben")]
) -> Response:
    return await _decide(request, user, entry_id, "approve", None, "approved")


@router.post("/stunden/{entry_id}/zurueckgeben", response_class=HTMLResponse)
async def return_entry(
    request: Request,
    entry_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /stunden/{entry_id}/zurueckgeben")],
) -> Response:
    lang = language(request)
    raw = await request.form()
    reason, note = str(raw.get("reason", "")), str(raw.get("note", "")).strip()
    if reason not in RETURN_REASONS:
        errors = [FieldError(f"reason-{entry_id}", text(lang, "error_return_reason_required"))]
        return await hours_page(request, user, errors=errors, status=422, entry=str(entry_id))
    body = {"reason": reason} | ({"note": note} if note else {})
    return await _decide(request, user, entry_id, "return", body, "returned")
