"""A new series of an offer at a site: the form, scheduling's preview ("3 von 104 Terminen
kollidieren: …") shown above it, and saving it -- with the choice to leave out the occurrences
that collide. The ticks of weekdays, interval and last day become an RFC 5545 rule
(`scheduling_calendar.series_rule`); scheduling checks everything else and names the field."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, pick, text
from ..messages_scheduling import OFFER_KINDS, WEEKDAY_NAMES
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .lookups import vocabulary
from .scheduling_calendar import WEEKDAYS, series_rule, week_of
from .scheduling_week import SiteId, today

router = APIRouter()
FIELDS = {
    "title": "title",
    "kind": "kind",
    "org_id": "org_id",
    "room_id": "room_id",
    "first_day": "first_day",
    "starts": "starts",
    "ends": "ends",
    "rrule": "weekdays",
    "topics": "topics",
    "on_holiday": "on_holiday",
}
TEXT_FIELDS = ("title", "kind", "org_id", "room_id", "first_day", "starts", "ends", "interval", "until", "on_holiday")
ON_HOLIDAY = ("skip", "move", "keep")


def series_body(
    form: dict[str, Any], weekdays: list[str], topics: list[str], lang: str
) -> tuple[dict[str, Any], list[FieldError]]:
    """The body of scheduling's offer routes from the form, or what is missing to build its rule.
    A topic is asked for here: the programme and the committee's figures sort offers by topic."""
    errors = []
    if not form["title"]:
        errors.append(FieldError("title", text(lang, "error_title")))
    if not topics:
        errors.append(FieldError("topics", text(lang, "error_topics_required")))
    if not weekdays:
        errors.append(FieldError("weekdays", text(lang, "error_weekdays")))
    try:
        until = date.fromisoformat(form["until"])
    except ValueError:
        errors.append(FieldError("until", text(lang, "error_until")))
        until = None
    if errors or until is None:
        return {}, errors
    interval = int(form["interval"]) if form["interval"] in ("1", "2", "3", "4") else 1
    body: dict[str, Any] = {
        "title": form["title"],
        "kind": form["kind"],
        "room_id": form["room_id"],
        "topics": topics,
        "first_day": form["first_day"],
        "starts": form["starts"],
        "ends": form["ends"],
        "rrule": series_rule(weekdays, interval, until),
        "on_holiday": form["on_holiday"] if form["on_holiday"] in ON_HOLIDAY else "skip",
    }
    if form["org_id"]:
        body["org_id"] = form["org_id"]
    return body, []


async def _form_page(
    request: Request,
    user: SignedIn,
    site_id: str,
    *,
    form: dict[str, str],
    weekdays: list[str],
    topics: list[str] | None = None,
    preview: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    site = await request.app.state.scheduling.call(user, lang, "GET", f"/sites/{site_id}")
    return render(
        request,
        "scheduling/series.html",
        status=status,
        errors=errors,
        site=site,
        form=form,
        weekdays=weekdays,
        topics=topics or [],
        words=await vocabulary(request, user, lang),
        preview=preview,
        kinds=[(code, pick(lang, pair)) for code, pair in OFFER_KINDS.items()],
        rooms=[(r["room_id"], r["name"]) for r in site.get("rooms", [])],
        day_names=[(code, pick(lang, WEEKDAY_NAMES[code])) for code in WEEKDAYS],
        intervals=[(str(n), text(lang, f"interval_{n}")) for n in range(1, 5)],
        on_holiday=[(code, text(lang, f"on_holiday_{code}")) for code in ON_HOLIDAY],
    )


@router.get("/treffs/{site_id}/angebote/neu", response_class=HTMLResponse)
async def new_series(
    request: Request, site_id: SiteId, user: Annotated[SignedIn, POLICY.guard("GET /treffs/{site_id}/angebote/neu")]
) -> HTMLResponse:
    form = dict.fromkeys(TEXT_FIELDS, "") | {
        "interval": "1",
        "on_holiday": "skip",
        "first_day": today(request).isoformat(),
    }
    return await _form_page(request, user, site_id, form=form, weekdays=[])


@router.post("/treffs/{site_id}/angebote", response_class=HTMLResponse)
async def save_series(
    request: Request, site_id: SiteId, user: Annotated[SignedIn, POLICY.guard("POST /treffs/{site_id}/angebote")]
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {name: str(raw.get(name, "")).strip() for name in TEXT_FIELDS}
    weekdays = [str(d) for d in raw.getlist("weekdays") if str(d) in WEEKDAYS]
    topics = [str(t) for t in raw.getlist("topics")][:20]
    body, errors = series_body(form, weekdays, topics, lang)
    if errors:
        return await _form_page(
            request, user, site_id, form=form, weekdays=weekdays, topics=topics, errors=errors, status=422
        )
    scheduling = request.app.state.scheduling
    wants_preview = raw.get("step") != "save"
    try:
        preview = await scheduling.call(user, lang, "POST", f"/sites/{site_id}/offers/preview", json=body)
        if wants_preview:
            return await _form_page(
                request, user, site_id, form=form, weekdays=weekdays, topics=topics, preview=preview
            )
        skip = raw.get("skip_collisions") == "on"
        if preview.get("collisions") and not skip:
            errors = [FieldError("skip_collisions", text(lang, "error_collisions"))]
            return await _form_page(
                request,
                user,
                site_id,
                form=form,
                weekdays=weekdays,
                topics=topics,
                preview=preview,
                errors=errors,
                status=409,
            )
        await scheduling.call(user, lang, "POST", f"/sites/{site_id}/offers", json=body | {"skip_collisions": skip})
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        errors = field_errors(problem, FIELDS, default="title")
        return await _form_page(
            request, user, site_id, form=form, weekdays=weekdays, topics=topics, errors=errors, status=problem.status
        )
    return RedirectResponse(
        f"/treffs/{site_id}/woche?woche={week_of(date.fromisoformat(form['first_day']))}&gespeichert=reihe",
        status_code=303,
    )
