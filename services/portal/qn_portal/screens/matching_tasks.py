"""Proposals and tasks. A volunteer on a phone: my proposals and tasks; one of them with its
reasons, accept or decline with a reason, and after accepting the address (read from intake with
the volunteer's own token: intake answers only who accepted, and logs the read -- decision 0013),
hours in quarter hours, completion; the own calendar link (made, renewed, revoked; shown once).
Coordinators: the requests nobody could be found for, every
proposal by status, and the same page to answer for a volunteer without a smartphone (proxy)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..messages_matching import DECLINE_REASONS, HELP_KINDS, MATCH_STATUS, UNMATCHED_REASONS, URGENCIES
from ..pages import BERLIN, FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .lookups import quarter_names
from .matching_lookups import hours_text

router = APIRouter()
PROPOSAL_STATUSES = ("proposed", "accepted", "completed", "declined", "expired", "cancelled")
HOURS_FIELDS = {"hours": "hours", "worked_on": "worked_on", "source": "source"}
DECLINE_FIELDS = {"reason": "decline_reason", "note": "decline_note"}


def _is_coordinator(user: SignedIn) -> bool:
    return user.has_any("coordinator", "admin")


async def _my_tasks_page(
    request: Request, user: SignedIn, *, feed: dict[str, Any] | None = None, saved: str = ""
) -> HTMLResponse:
    lang = language(request)
    try:
        found = await request.app.state.matching.call(user, lang, "GET", "/volunteers/me/matches")
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        found, unlinked = [], True  # no volunteer record carries this login yet
    else:
        unlinked = False
    return render(
        request,
        "matching/my_tasks.html",
        status=201 if feed else 200,
        feed=feed,
        saved=saved,
        proposals=[m for m in found if m.get("status") == "proposed"],
        tasks=[m for m in found if m.get("status") == "accepted"],
        unlinked=unlinked,
        kinds=HELP_KINDS,
        urgencies=URGENCIES,
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/meine-einsaetze", response_class=HTMLResponse)
async def my_tasks(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /meine-einsaetze")],
    gespeichert: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return await _my_tasks_page(request, user, saved=gespeichert)


async def _own_volunteer_id(request: Request, user: SignedIn, lang: str) -> str | None:
    """The volunteer record that carries this login (matching finds it), or None if none does."""
    try:
        me = await request.app.state.matching.call(user, lang, "GET", "/volunteers/me")
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        return None
    return str(me["id"])


@router.post("/meine-einsaetze/kalender", response_class=HTMLResponse)
async def make_calendar_link(
    request: Request, user: Annotated[SignedIn, POLICY.guard("POST /meine-einsaetze/kalender")]
) -> HTMLResponse:
    # the secret link is shown once, on this answer: matching keeps only its hash, renewing revokes the old one
    lang = language(request)
    volunteer_id = await _own_volunteer_id(request, user, lang)
    if volunteer_id is None:
        return await _my_tasks_page(request, user)  # the page says that no volunteer record carries this login
    feed = await request.app.state.matching.call(user, lang, "POST", f"/volunteers/{volunteer_id}/calendar-feed")
    return await _my_tasks_page(request, user, feed=feed)


@router.post("/meine-einsaetze/kalender/widerrufen", response_class=HTMLResponse)
async def revoke_calendar_link(
    request: Request, user: Annotated[SignedIn, POLICY.guard("POST /meine-einsaetze/kalender/widerrufen")]
) -> Response:
    lang = language(request)
    volunteer_id = await _own_volunteer_id(request, user, lang)
    if volunteer_id is None:
        return await _my_tasks_page(request, user)
    await request.app.state.matching.call(user, lang, "DELETE", f"/volunteers/{volunteer_id}/calendar-feed")
    return RedirectResponse("/meine-einsaetze?gespeichert=calendar_revoked", status_code=303)


@router.get("/offene-anfragen", response_class=HTMLResponse)
async def unmatched(request: Request, user: Annotated[SignedIn, POLICY.guard("GET /offene-anfragen")]) -> HTMLResponse:
    lang = language(request)
    found = await request.app.state.matching.call(user, lang, "GET", "/help-requests", params={"status": "unmatched"})
    return render(
        request,
        "matching/unmatched.html",
        items=found,
        kinds=HELP_KINDS,
        urgencies=URGENCIES,
        reasons=UNMATCHED_REASONS,
        match_labels=MATCH_STATUS,
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/vorschlaege", response_class=HTMLResponse)
async def proposals(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /vorschlaege")],
    status: Annotated[str, Query(max_length=30)] = "proposed",
) -> HTMLResponse:
    lang = language(request)
    status = status if status in PROPOSAL_STATUSES else "proposed"
    found = await request.app.state.matching.call(user, lang, "GET", "/matches", params={"status": status})
    return render(
        request,
        "matching/proposals.html",
        items=found,
        shown=status,
        statuses=PROPOSAL_STATUSES,
        status_labels=MATCH_STATUS,
        kinds=HELP_KINDS,
        urgencies=URGENCIES,
        quarters=await quarter_names(request, user, lang),
    )


async def _contact(request: Request, user: SignedIn, lang: str, match: dict[str, Any]) -> tuple[Any, str]:
    """The person's first name, address and phone from intake -- or intake's sentence why not."""
    if match.get("status") != "accepted":
        return None, ""
    try:
        path = f"/help-requests/{match['help_request_id']}/contact"
        return await request.app.state.intake.call(user, lang, "GET", path), ""
    except ApiProblem as problem:
        if problem.status not in (403, 404):
            raise
        return None, problem.detail or text(lang, "no_address")


async def task_page(
    request: Request,
    user: SignedIn,
    match_id: uuid.UUID,
    *,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    saved: str = "",
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    matching = request.app.state.matching
    match = await matching.call(user, lang, "GET", f"/matches/{match_id}")
    contact, refusal = await _contact(request, user, lang, match)
    sheet = None
    if match.get("status") in ("accepted", "completed"):
        sheet = await matching.call(user, lang, "GET", f"/matches/{match_id}/hours")
    return render(
        request,
        "matching/task.html",
        status=status,
        errors=errors,
        form=form or {},
        saved=saved,
        match=match,
        contact=contact,
        refusal=refusal,
        sheet=sheet,
        proxy=_is_coordinator(user),
        kinds=HELP_KINDS,
        urgencies=URGENCIES,
        status_labels=MATCH_STATUS,
        decline_reasons=DECLINE_REASONS,
        today=request.app.state.clock.now().astimezone(BERLIN).date().isoformat(),
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/einsaetze/{match_id}", response_class=HTMLResponse)
async def show_task(
    request: Request,
    match_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /einsaetze/{match_id}")],
    gespeichert: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return await task_page(request, user, match_id, saved=gespeichert)


async def _send(
    request: Request,
    user: SignedIn,
    match_id: uuid.UUID,
    path: str,
    body: dict[str, Any] | None,
    *,
    fields: dict[str, str],
    default: str,
    form: dict[str, str],
    saved: str,
) -> Response:
    lang = language(request)
    try:
        await request.app.state.matching.call(user, lang, "POST", path, json=body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        # 409: the proposal moved on meanwhile (expired, called off): the sentence belongs to its status
        moved_on = problem.status == 409
        errors = field_errors(problem, {} if moved_on else fields, default="status" if moved_on else default)
        return await task_page(request, user, match_id, errors=errors, form=form, status=problem.status)
    return RedirectResponse(f"/einsaetze/{match_id}?gespeichert={saved}", status_code=303)


@router.post("/einsaetze/{match_id}/annehmen", response_class=HTMLResponse)
async def accept(
    request: Request,
    match_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /einsaetze/{match_id}/annehmen")],
) -> Response:
    return await _send(
        request, user, match_id, f"/matches/{match_id}/accept", None,
        fields={}, default="status", form={}, saved="accepted",
    )  # fmt: skip


@router.post("/einsaetze/{match_id}/ablehnen", response_class=HTMLResponse)
async def decline(
    request: Request,
    match_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /einsaetze/{match_id}/ablehnen")],
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {"decline_reason": str(raw.get("decline_reason", "")), "decline_note": str(raw.get("decline_note", ""))}
    if form["decline_reason"] not in DECLINE_REASONS:
        errors = [FieldError("decline_reason", text(lang, "error_decline_reason_required"))]
        return await task_page(request, user, match_id, errors=errors, form=form, status=422)
    body = {"reason": form["decline_reason"]}
    if form["decline_note"].strip():
        body["note"] = form["decline_note"].strip()
    return await _send(
        request, user, match_id, f"/matches/{match_id}/decline", body,
        fields=DECLINE_FIELDS, default="decline_reason", form=form, saved="declined",
    )  # fmt: skip


def _hours_body(form: dict[str, str], proxy: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if form["hours"]:
        body["hours"] = hours_text(form["hours"])
    if form["worked_on"]:
        body["worked_on"] = form["worked_on"]
    if proxy and form["source"] == "paper":
        body["source"] = "paper"  # a paper slip handed in: coordinators only (matching checks)
    return body


@router.post("/einsaetze/{match_id}/stunden", response_class=HTMLResponse)
async def log_hours(
    request: Request, match_id: uuid.UUID, user: Annotated[SignedIn, POLICY.guard("POST /einsaetze/{match_id}/stunden")]
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in ("hours", "worked_on", "source")}
    if not form["hours"]:
        errors = [FieldError("hours", text(lang, "error_hours_required"))]
        return await task_page(request, user, match_id, errors=errors, form=form, status=422)
    return await _send(
        request, user, match_id, f"/matches/{match_id}/hours", _hours_body(form, _is_coordinator(user)),
        fields=HOURS_FIELDS, default="hours", form=form, saved="hours",
    )  # fmt: skip


@router.post("/einsaetze/{match_id}/abschliessen", response_class=HTMLResponse)
async def complete(
    request: Request,
    match_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /einsaetze/{match_id}/abschliessen")],
) -> Response:
    # the hours are logged with their own form first; completing only closes the task
    return await _send(
        request, user, match_id, f"/matches/{match_id}/complete", {},
        fields=HOURS_FIELDS, default="hours", form={}, saved="completed",
    )  # fmt: skip
