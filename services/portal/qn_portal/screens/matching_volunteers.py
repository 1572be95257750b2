"""Volunteer coordinators: the volunteers by status -- applications from the public form first to
review -- and one volunteer's record: approve or deny, start, pause, archive; the police
certificate's dates; the weekly availability of one who phones in. Matching decides every change
and names the field when it refuses; its sentence is shown next to that field."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..messages_matching import ARCHIVE_REASONS, HELP_KINDS, MATCH_STATUS, VOLUNTEER_STATUS, WEEKDAY_NAMES
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .lookups import quarter_names
from .matching_lookups import WEEKDAYS

router = APIRouter()
STATUSES = ("prospective", "active", "approved", "paused", "inactive", "denied")
# the buttons offered per status, as matching's STATUS_CHANGES allows them (matching still decides)
NEXT = {
    "prospective": ("approved", "denied"),
    "approved": ("active", "paused", "inactive"),
    "active": ("paused", "inactive"),
    "paused": ("active", "inactive"),
    "inactive": ("active",),
}
SLOT_ROWS = 2  # empty rows offered below the existing windows
STATUS_FIELDS = {"status": "status", "account": "account", "archive_reason": "archive_reason"}
VETTING_FIELDS = {
    "certificate_date": "certificate_date",
    "no_relevant_entry": "no_relevant_entry",
    "recheck_on": "recheck_on",
}


@router.get("/ehrenamtliche", response_class=HTMLResponse)
async def volunteers(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /ehrenamtliche")],
    status: Annotated[str, Query(max_length=30)] = "prospective",
    pruefung_bis: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    """By status; or, with `pruefung_bis`, whose police certificate is to be seen again by that day."""
    lang = language(request)
    status = status if status in STATUSES else "prospective"
    params = {"vetting_due_by": pruefung_bis.isoformat()} if pruefung_bis else {"status": status}
    found = await request.app.state.matching.call(user, lang, "GET", "/volunteers", params=params)
    return render(
        request,
        "matching/volunteers.html",
        items=found,
        due_by=pruefung_bis.isoformat() if pruefung_bis else "",
        shown="" if pruefung_bis else status,
        statuses=STATUSES,
        status_labels=VOLUNTEER_STATUS,
        kinds=HELP_KINDS,
        quarters=await quarter_names(request, user, lang),
    )


async def volunteer_page(
    request: Request,
    user: SignedIn,
    volunteer_id: uuid.UUID,
    *,
    errors: list[FieldError] | None = None,
    form: dict[str, Any] | None = None,
    saved: str = "",
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    matching = request.app.state.matching
    volunteer = await matching.call(user, lang, "GET", f"/volunteers/{volunteer_id}")
    tasks = await matching.call(user, lang, "GET", f"/volunteers/{volunteer_id}/matches")
    slots = (form or {}).get("slots") or [*volunteer.get("availability", []), *({} for _ in range(SLOT_ROWS))]
    return render(
        request,
        "matching/volunteer.html",
        status=status,
        errors=errors,
        form=form or {},
        saved=saved,
        volunteer=volunteer,
        tasks=tasks,
        slots=slots,
        next_statuses=NEXT.get(volunteer.get("status", ""), ()),
        status_labels=VOLUNTEER_STATUS,
        match_labels=MATCH_STATUS,
        archive_reasons=ARCHIVE_REASONS,
        kinds=HELP_KINDS,
        weekdays=WEEKDAYS,
        weekday_names=WEEKDAY_NAMES,
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/ehrenamtliche/{volunteer_id}", response_class=HTMLResponse)
async def show_volunteer(
    request: Request,
    volunteer_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /ehrenamtliche/{volunteer_id}")],
    gespeichert: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return await volunteer_page(request, user, volunteer_id, saved=gespeichert)


async def _send(
    request: Request,
    user: SignedIn,
    volunteer_id: uuid.UUID,
    method: str,
    path: str,
    body: dict[str, Any],
    *,
    fields: dict[str, str],
    default: str,
    form: dict[str, Any],
    saved: str,
) -> Response:
    lang = language(request)
    try:
        await request.app.state.matching.call(user, lang, method, path, json=body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = field_errors(problem, fields, default=default)
        return await volunteer_page(request, user, volunteer_id, errors=errors, form=form, status=problem.status)
    return RedirectResponse(f"/ehrenamtliche/{volunteer_id}?gespeichert={saved}", status_code=303)


@router.post("/ehrenamtliche/{volunteer_id}/status", response_class=HTMLResponse)
async def change_status(
    request: Request,
    volunteer_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /ehrenamtliche/{volunteer_id}/status")],
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in ("status", "account", "archive_reason")}
    if form["status"] not in VOLUNTEER_STATUS:
        errors = [FieldError("status", text(lang, "choose"))]
        return await volunteer_page(request, user, volunteer_id, errors=errors, form=form, status=422)
    body: dict[str, Any] = {"status": form["status"]}
    if form["account"]:
        body["account"] = form["account"]
    if form["status"] == "inactive":
        if form["archive_reason"] not in ARCHIVE_REASONS:
            errors = [FieldError("archive_reason", text(lang, "error_archive_reason_required"))]
            return await volunteer_page(request, user, volunteer_id, errors=errors, form=form, status=422)
        body["archive_reason"] = form["archive_reason"]
    return await _send(
        request, user, volunteer_id, "POST", f"/volunteers/{volunteer_id}/status", body,
        fields=STATUS_FIELDS, default="status", form=form, saved="status",
    )  # fmt: skip


@router.post("/ehrenamtliche/{volunteer_id}/fuehrungszeugnis", response_class=HTMLResponse)
async def record_vetting(
    request: Request,
    volunteer_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /ehrenamtliche/{volunteer_id}/fuehrungszeugnis")],
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in ("certificate_date", "no_relevant_entry", "recheck_on")}
    errors = []
    if not form["certificate_date"]:
        errors.append(FieldError("certificate_date", text(lang, "error_certificate_date_required")))
    if form["no_relevant_entry"] not in ("yes", "no"):
        errors.append(FieldError("no_relevant_entry", text(lang, "error_certificate_outcome_required")))
    if errors:
        return await volunteer_page(request, user, volunteer_id, errors=errors, form=form, status=422)
    body: dict[str, Any] = {
        "certificate_date": form["certificate_date"],
        "no_relevant_entry": form["no_relevant_entry"] == "yes",
    }
    if form["recheck_on"]:
        body["recheck_on"] = form["recheck_on"]
    return await _send(
        request, user, volunteer_id, "POST", f"/volunteers/{volunteer_id}/vetting", body,
        fields=VETTING_FIELDS, default="certificate_date", form=form, saved="vetting",
    )  # fmt: skip


def availability_of(raw: Any) -> tuple[list[dict[str, str]], dict[str, str], list[dict[str, str]]]:
    """The weekly windows of the form's rows (a row left empty is no window), the field names of
    matching's `availability.<n>.<part>` for the error summary, and the rows as typed."""
    slots: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    row = 0
    while f"weekday_{row}" in raw and row < 50:
        slot = {part: str(raw.get(f"{part}_{row}", "")).strip() for part in ("weekday", "starts", "ends")}
        rows.append(slot)
        if any(slot.values()):
            for part in ("weekday", "starts", "ends"):
                fields[f"availability.{len(slots)}.{part}"] = f"{part}_{row}"
            slots.append(slot)
        row += 1
    return slots, fields, rows


@router.post("/ehrenamtliche/{volunteer_id}/verfuegbarkeit", response_class=HTMLResponse)
async def change_availability(
    request: Request,
    volunteer_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /ehrenamtliche/{volunteer_id}/verfuegbarkeit")],
) -> Response:
    raw = await request.form()
    slots, fields, rows = availability_of(raw)
    return await _send(
        request, user, volunteer_id, "PATCH", f"/volunteers/{volunteer_id}", {"availability": slots},
        fields=fields, default="weekday_0", form={"slots": rows}, saved="availability",
    )  # fmt: skip
