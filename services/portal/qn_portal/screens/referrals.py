"""Carriers and offices: the referrals addressed to them, and their answer -- accept, or decline
with a reason. Intake decides what they may see and which transition is allowed; its refusal
(409 with the allowed ones, 422 naming the field) is shown next to the form."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import REFERRAL_REASONS, REFERRAL_STATUS, language, text
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .lookups import quarter_names, vocabulary

router = APIRouter()
INBOX_STATUSES = ("requested", "accepted", "in_progress", "on_hold", "completed", "rejected")
# what a carrier may answer (cancelling and entered-in-error are the referring team's)
ANSWERS = ("accepted", "rejected", "in_progress", "on_hold", "completed", "failed")
NEEDS_REASON = ("rejected", "failed")
FIELDS = {"to_status": "reason", "reason": "reason", "note": "reason"}


@router.get("/vermittlungen", response_class=HTMLResponse)
async def inbox(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /vermittlungen")],
    status: Annotated[str, Query(max_length=30)] = "requested",
) -> HTMLResponse:
    lang = language(request)
    status = status if status in INBOX_STATUSES else "requested"
    found = await request.app.state.intake.call(user, lang, "GET", "/referrals", params={"status": status})
    return render(
        request,
        "inbox.html",
        items=found.get("items", []),
        shown=status,
        statuses=INBOX_STATUSES,
        status_labels=REFERRAL_STATUS,
        words=await vocabulary(request, user, lang),
        quarters=await quarter_names(request, user, lang),
    )


async def _referral_page(
    request: Request,
    user: SignedIn,
    referral_id: uuid.UUID,
    *,
    errors: list[FieldError] | None = None,
    saved: bool = False,
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    referral = await request.app.state.intake.call(user, lang, "GET", f"/referrals/{referral_id}")
    return render(
        request,
        "referral.html",
        status=status,
        errors=errors,
        referral=referral,
        saved=saved,
        status_labels=REFERRAL_STATUS,
        reasons=REFERRAL_REASONS,
        next_steps=[
            s for s in referral.get("allowed_next", []) if s in ANSWERS and referral.get("status") != "requested"
        ],
        words=await vocabulary(request, user, lang),
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/vermittlungen/{referral_id}", response_class=HTMLResponse)
async def show_referral(
    request: Request,
    referral_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /vermittlungen/{referral_id}")],
    gespeichert: bool = False,
) -> HTMLResponse:
    return await _referral_page(request, user, referral_id, saved=gespeichert)


@router.post("/vermittlungen/{referral_id}/status", response_class=HTMLResponse)
async def answer_referral(
    request: Request,
    referral_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /vermittlungen/{referral_id}/status")],
) -> Response:
    lang = language(request)
    raw = await request.form()
    to_status = str(raw.get("to_status", ""))
    reason = str(raw.get("reason", ""))
    if to_status not in ANSWERS:
        return await _referral_page(
            request, user, referral_id, status=422, errors=[FieldError("reason", text(lang, "choose"))]
        )
    if to_status in NEEDS_REASON and reason not in REFERRAL_REASONS:
        errors = [FieldError("reason", text(lang, "error_reason_required"))]
        return await _referral_page(request, user, referral_id, status=422, errors=errors)
    body: dict[str, str] = {"to_status": to_status}
    if to_status in NEEDS_REASON:
        body |= {"reason": reason, "decided_by": "carrier"}
    try:
        await request.app.state.intake.call(user, lang, "POST", f"/referrals/{referral_id}/status", json=body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        # 409: the referral moved on meanwhile; the sentence belongs to its status, not to a field
        moved_on = problem.status == 409
        errors = field_errors(problem, {} if moved_on else FIELDS, default="status" if moved_on else "reason")
        return await _referral_page(request, user, referral_id, status=problem.status, errors=errors)
    return RedirectResponse(f"/vermittlungen/{referral_id}?gespeichert=1", status_code=303)


@router.get("/vermittlungen/{referral_id}/kontakt", response_class=HTMLResponse)
async def referral_contact(
    request: Request,
    referral_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /vermittlungen/{referral_id}/kontakt")],
) -> HTMLResponse:
    """The person's contact details -- only where their consent names this carrier or the team
    stated a legal basis; intake logs the read and otherwise says what is missing."""
    lang = language(request)
    contact, refusal, status = None, None, 200
    try:
        contact = await request.app.state.intake.call(user, lang, "GET", f"/referrals/{referral_id}/contact")
    except ApiProblem as problem:
        if problem.status not in (403, 404):
            raise
        # 404: an anonymous concern has no contact; 403: intake's sentence says what is missing
        refusal = text(lang, "no_contact") if problem.status == 404 else problem.detail
        status = problem.status if problem.status == 403 else 200
    return render(
        request, "referral_contact.html", status=status, referral_id=str(referral_id), contact=contact, refusal=refusal
    )
