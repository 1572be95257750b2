"""A site's closures besides the public holidays (summer break, works): listed, added, removed.
Scheduling keeps them as part of the site, which is replaced as a whole (`PUT /sites/{id}`): the
portal sends back what it read with the one closure changed."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .scheduling_week import SiteId

router = APIRouter()
SITE_FIELDS = ("name", "quarter_id", "carrier_id", "address", "rooms", "opening_hours")
FIELDS = {"closures": "first_day"}


def site_body(site: dict[str, Any], closures: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole site as scheduling's PUT takes it, with these closures."""
    body = {name: site.get(name) for name in SITE_FIELDS if site.get(name) is not None}
    body["closures"] = [
        {"first_day": c["first_day"], "last_day": c["last_day"], **({"reason": c["reason"]} if c.get("reason") else {})}
        for c in closures
    ]
    return body


async def _page(
    request: Request,
    user: SignedIn,
    site_id: str,
    *,
    errors: list[FieldError] | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
    saved: bool = False,
) -> HTMLResponse:
    site = await request.app.state.scheduling.call(user, language(request), "GET", f"/sites/{site_id}")
    return render(
        request, "scheduling/closures.html", status=status, errors=errors, site=site, form=form or {}, saved=saved
    )


@router.get("/treffs/{site_id}/schliesszeiten", response_class=HTMLResponse)
async def closures(
    request: Request,
    site_id: SiteId,
    user: Annotated[SignedIn, POLICY.guard("GET /treffs/{site_id}/schliesszeiten")],
    gespeichert: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    return await _page(request, user, site_id, saved=gespeichert)


@router.post("/treffs/{site_id}/schliesszeiten", response_class=HTMLResponse)
async def change_closures(
    request: Request, site_id: SiteId, user: Annotated[SignedIn, POLICY.guard("POST /treffs/{site_id}/schliesszeiten")]
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in ("first_day", "last_day", "reason", "remove")}
    site = await request.app.state.scheduling.call(user, lang, "GET", f"/sites/{site_id}")
    current = list(site.get("closures", []))
    if form["remove"]:
        kept = [c for c in current if f"{c['first_day']}/{c['last_day']}" != form["remove"]]
    else:
        errors = [
            FieldError(name, text(lang, "error_day")) for name in ("first_day", "last_day") if not _is_day(form[name])
        ]
        if errors:
            return await _page(request, user, site_id, errors=errors, status=422, form=form)
        kept = [*current, {"first_day": form["first_day"], "last_day": form["last_day"], "reason": form["reason"]}]
    try:
        await request.app.state.scheduling.call(user, lang, "PUT", f"/sites/{site_id}", json=site_body(site, kept))
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        errors = field_errors(problem, FIELDS, default="first_day")
        return await _page(request, user, site_id, errors=errors, status=422, form=form)
    return RedirectResponse(f"/treffs/{site_id}/schliesszeiten?gespeichert=1", status_code=303)


def _is_day(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
