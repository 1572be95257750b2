"""Drop-in coordinators: the sites, a site's week of rooms and offers as a grid (previous/next
week), and one occurrence -- attendance in two taps (open it from the week, count, save), cancel
or move it with a reason. Scheduling decides what is allowed; its refusal (409, 422 naming the
field) is shown next to the form, in the reader's language."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, pick, text
from ..messages_scheduling import CHANGE_REASONS
from ..pages import BERLIN, FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .scheduling_calendar import entries_of, monday_of, week_days, week_grid, week_of

router = APIRouter()
SITE_ID = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
SiteId = Annotated[str, Path(pattern=SITE_ID)]
# what a person gives as the reason for one occurrence (the others are scheduling's own)
CANCEL_REASONS = ("illness", "not_needed", "room_unavailable", "public_holiday", "site_closed", "other")
ATTENDANCE_FIELDS = {
    "attendance": "attendance",
    "new_visitors": "new_visitors",
    "returning_visitors": "returning_visitors",
}
MOVE_FIELDS = {
    "starts_at": "move_day",
    "ends_at": "move_ends",
    "room_id": "move_day",
    "reason": "move_reason",
    "note": "move_note",
}
CANCEL_FIELDS = {"reason": "cancel_reason", "note": "cancel_note"}


def today(request: Request) -> date:
    return request.app.state.clock.now().astimezone(BERLIN).date()


async def week_entries(request: Request, user: SignedIn, lang: str, site_id: str, monday: date) -> list[Any]:
    """Every occurrence and single booking of the site in the week starting `monday`."""
    scheduling = request.app.state.scheduling
    period = {"from": monday.isoformat(), "to": week_days(monday)[-1].isoformat()}
    offers, bookings = await asyncio.gather(
        scheduling.call(user, lang, "GET", f"/sites/{site_id}/offers"),
        scheduling.call(
            user, lang, "GET", f"/sites/{site_id}/bookings", params={**period, "include_cancelled": "true"}
        ),
    )
    occurrences = await asyncio.gather(
        *(scheduling.call(user, lang, "GET", f"/offers/{o['id']}/occurrences", params=period) for o in offers)
    )
    return entries_of(offers, list(occurrences), bookings)


@router.get("/treffs", response_class=HTMLResponse)
async def sites(request: Request, user: Annotated[SignedIn, POLICY.guard("GET /treffs")]) -> HTMLResponse:
    found = await request.app.state.scheduling.call(user, language(request), "GET", "/sites")
    return render(request, "scheduling/sites.html", sites=found, week=week_of(today(request)))


@router.get("/treffs/{site_id}/woche", response_class=HTMLResponse)
async def week(
    request: Request,
    site_id: SiteId,
    user: Annotated[SignedIn, POLICY.guard("GET /treffs/{site_id}/woche")],
    woche: Annotated[str, Query(max_length=10)] = "",
    gespeichert: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    lang = language(request)
    monday = monday_of(woche, today(request))
    days = week_days(monday)
    site = await request.app.state.scheduling.call(user, lang, "GET", f"/sites/{site_id}")
    entries = await week_entries(request, user, lang, site_id, monday)
    return render(
        request,
        "scheduling/week.html",
        site=site,
        days=days,
        week=week_of(monday),
        previous=week_of(monday - timedelta(days=7)),
        following=week_of(monday + timedelta(days=7)),
        grid=week_grid(site.get("rooms", []), days, entries),
        now=request.app.state.clock.now(),
        saved=gespeichert,
    )


async def _occurrence(
    request: Request, user: SignedIn, lang: str, offer_id: uuid.UUID, occurrence_id: uuid.UUID, day: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    scheduling = request.app.state.scheduling
    offer, rows = await asyncio.gather(
        scheduling.call(user, lang, "GET", f"/offers/{offer_id}"),
        scheduling.call(
            user,
            lang,
            "GET",
            f"/offers/{offer_id}/occurrences",
            params={"from": day.isoformat(), "to": day.isoformat()},
        ),
    )
    found = next((o for o in rows if o.get("id") == str(occurrence_id)), None)
    if found is None:
        raise ApiProblem(status=404)
    return offer, found


async def _occurrence_page(
    request: Request,
    user: SignedIn,
    offer_id: uuid.UUID,
    occurrence_id: uuid.UUID,
    day: date,
    *,
    errors: list[FieldError] | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = language(request)
    offer, occurrence = await _occurrence(request, user, lang, offer_id, occurrence_id, day)
    site = await request.app.state.scheduling.call(user, lang, "GET", f"/sites/{offer['site_id']}")
    starts = datetime.fromisoformat(occurrence["starts_at"])
    return render(
        request,
        "scheduling/occurrence.html",
        status=status,
        errors=errors,
        offer=offer,
        occurrence=occurrence,
        site=site,
        starts=starts,
        ends=datetime.fromisoformat(occurrence["ends_at"]),
        day=day,
        week=week_of(starts.date()),
        begun=starts <= request.app.state.clock.now(),
        reason_options=[(code, pick(lang, CHANGE_REASONS[code])) for code in CANCEL_REASONS],
        values=values or {},
    )


def _day(tag: str) -> date | None:
    try:
        return date.fromisoformat(tag)
    except ValueError:
        return None


@router.get("/angebote/{offer_id}/termine/{occurrence_id}", response_class=HTMLResponse)
async def occurrence_page(
    request: Request,
    offer_id: uuid.UUID,
    occurrence_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /angebote/{offer_id}/termine/{occurrence_id}")],
    tag: Annotated[str, Query(max_length=10, description="The occurrence's local day.")] = "",
) -> HTMLResponse:
    day = _day(tag) or today(request)
    return await _occurrence_page(request, user, offer_id, occurrence_id, day)


def _count(raw: Any) -> int | str | None:
    """A count from a form field: None when empty, the number, or "bad"."""
    value = str(raw or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) <= 5 else "bad"


async def _back_to_week(
    request: Request, user: SignedIn, offer_id: uuid.UUID, occurrence: dict[str, Any], what: str
) -> Response:
    offer = await request.app.state.scheduling.call(user, language(request), "GET", f"/offers/{offer_id}")
    starts = datetime.fromisoformat(occurrence["starts_at"])
    return RedirectResponse(
        f"/treffs/{offer['site_id']}/woche?woche={week_of(starts.date())}&gespeichert={what}#termin-{occurrence['id']}",
        status_code=303,
    )


@router.post("/angebote/{offer_id}/termine/{occurrence_id}/teilnahme", response_class=HTMLResponse)
async def record_attendance(
    request: Request,
    offer_id: uuid.UUID,
    occurrence_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /angebote/{offer_id}/termine/{occurrence_id}/teilnahme")],
    tag: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = language(request)
    day = _day(tag) or today(request)
    raw = await request.form()
    values = {k: str(raw.get(k, "")) for k in ATTENDANCE_FIELDS}
    counts = {k: _count(raw.get(k)) for k in ATTENDANCE_FIELDS}
    errors = [FieldError("attendance", text(lang, "error_attendance"))] if counts["attendance"] in (None, "bad") else []
    errors += [
        FieldError(k, text(lang, "error_count")) for k in ("new_visitors", "returning_visitors") if counts[k] == "bad"
    ]
    if errors:
        return await _occurrence_page(
            request, user, offer_id, occurrence_id, day, errors=errors, status=422, values=values
        )
    body = {k: v for k, v in counts.items() if v is not None}
    try:
        occurrence = await request.app.state.scheduling.call(
            user, lang, "POST", f"/occurrences/{occurrence_id}/attendance", json=body
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = field_errors(problem, ATTENDANCE_FIELDS, default="attendance")
        return await _occurrence_page(
            request, user, offer_id, occurrence_id, day, errors=errors, status=problem.status, values=values
        )
    return await _back_to_week(request, user, offer_id, occurrence, "teilnahme")


@router.post("/angebote/{offer_id}/termine/{occurrence_id}/absage", response_class=HTMLResponse)
async def cancel_occurrence(
    request: Request,
    offer_id: uuid.UUID,
    occurrence_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /angebote/{offer_id}/termine/{occurrence_id}/absage")],
    tag: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = language(request)
    day = _day(tag) or today(request)
    raw = await request.form()
    reason, note = str(raw.get("cancel_reason", "")), str(raw.get("cancel_note", "")).strip()
    values = {"cancel_reason": reason, "cancel_note": note}
    if reason not in CANCEL_REASONS:
        errors = [FieldError("cancel_reason", text(lang, "error_reason"))]
        return await _occurrence_page(
            request, user, offer_id, occurrence_id, day, errors=errors, status=422, values=values
        )
    body = {"reason": reason, **({"note": note} if note else {})}
    try:
        occurrence = await request.app.state.scheduling.call(
            user, lang, "POST", f"/occurrences/{occurrence_id}/cancel", json=body
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = field_errors(problem, CANCEL_FIELDS, default="cancel_reason")
        return await _occurrence_page(
            request, user, offer_id, occurrence_id, day, errors=errors, status=problem.status, values=values
        )
    return await _back_to_week(request, user, offer_id, occurrence, "absage")


def berlin_timestamp(day: str, clock: str) -> str | None:
    """An ISO timestamp with the Berlin offset of that day, or None if day or time are no such thing."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), BERLIN).isoformat()
    except ValueError:
        return None


@router.post("/angebote/{offer_id}/termine/{occurrence_id}/verlegung", response_class=HTMLResponse)
async def move_occurrence(
    request: Request,
    offer_id: uuid.UUID,
    occurrence_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /angebote/{offer_id}/termine/{occurrence_id}/verlegung")],
    tag: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    lang = language(request)
    day = _day(tag) or today(request)
    raw = await request.form()
    values = {
        k: str(raw.get(k, "")).strip() for k in ("move_day", "move_starts", "move_ends", "move_reason", "move_note")
    }
    starts_at = berlin_timestamp(values["move_day"], values["move_starts"])
    ends_at = berlin_timestamp(values["move_day"], values["move_ends"])
    errors = []
    if _day(values["move_day"]) is None:
        errors.append(FieldError("move_day", text(lang, "error_day")))
    else:
        errors += [
            FieldError(f, text(lang, "error_time"))
            for f, at in (("move_starts", starts_at), ("move_ends", ends_at))
            if at is None
        ]
    if values["move_reason"] not in CANCEL_REASONS and values["move_reason"] != "rescheduled":
        errors.append(FieldError("move_reason", text(lang, "error_reason")))
    if errors:
        return await _occurrence_page(
            request, user, offer_id, occurrence_id, day, errors=errors, status=422, values=values
        )
    body = {"starts_at": starts_at, "ends_at": ends_at, "reason": values["move_reason"]}
    if values["move_note"]:
        body["note"] = values["move_note"]
    try:
        occurrence = await request.app.state.scheduling.call(
            user, lang, "POST", f"/occurrences/{occurrence_id}/move", json=body
        )
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = field_errors(problem, MOVE_FIELDS, default="move_day")
        return await _occurrence_page(
            request, user, offer_id, occurrence_id, day, errors=errors, status=problem.status, values=values
        )
    return await _back_to_week(request, user, offer_id, occurrence, "verlegung")
