"""The public self-registration form for newcomers who would like to help: no login. Matching
keeps them as prospective until a coordinator has met and approved them, and answers with nothing
but a reference to quote on the phone -- the page shows that and repeats nothing that was sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qn_infra.client_address import client_address

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..messages_matching import HELP_KINDS, LANGUAGE_NAMES, WEEKDAY_NAMES
from ..pages import BERLIN, FieldError, render
from .form_errors import field_errors
from .matching_lookups import WEEKDAYS, city_quarters

router = APIRouter()
FIELDS = {
    "display_name": "display_name",
    "contact": "contact",
    "quarter_id": "quarter_id",
    "skills": "skills",
    "languages": "languages",
    "availability": "weekday_0",
}
SLOT_ROWS = 3


def _form_page(request: Request, form: dict[str, Any], errors: list[FieldError], status: int) -> HTMLResponse:
    return render(
        request,
        "matching/apply.html",
        status=status,
        errors=errors,
        form=form,
        kinds=HELP_KINDS,
        languages=LANGUAGE_NAMES,
        weekdays=WEEKDAYS,
        weekday_names=WEEKDAY_NAMES,
        slots=form.get("slots") or [{} for _ in range(SLOT_ROWS)],
        quarters=city_quarters(request.app.state.settings.city_dir),
    )


@router.get("/mitmachen", response_class=HTMLResponse, dependencies=[POLICY.guard("GET /mitmachen")])
async def application_form(request: Request) -> HTMLResponse:
    return _form_page(request, {}, [], 200)


def _client(request: Request) -> str:
    peer = request.client.host if request.client else None
    forwarded = ",".join(request.headers.getlist("x-forwarded-for"))
    return client_address(peer, forwarded, request.app.state.trusted_proxies)


def too_many(request: Request, retry_after: int) -> HTMLResponse:
    """The page for a client who sent the form too often: from when to try again, and the phone."""
    again = request.app.state.clock.now() + timedelta(seconds=retry_after)
    page = render(
        request,
        "message.html",
        status=429,
        title_key="apply_too_many_title",
        detail=text(language(request), "apply_too_many_text", at=f"{again.astimezone(BERLIN):%H:%M}"),
    )
    page.headers["Retry-After"] = str(retry_after)
    return page


@router.post("/mitmachen", response_class=HTMLResponse, dependencies=[POLICY.guard("POST /mitmachen")])
async def apply(request: Request) -> Response:
    lang = language(request)
    client = _client(request)
    # every form counts, a refused one too: a flood of wrong forms is a flood all the same
    retry_after = request.app.state.form_limit.hit(client)
    if retry_after is not None:
        return too_many(request, retry_after)
    raw = await request.form()
    form: dict[str, Any] = {k: str(raw.get(k, "")).strip() for k in ("display_name", "contact", "quarter_id")}
    form["skills"] = [s for s in raw.getlist("skills") if isinstance(s, str) and s in HELP_KINDS]
    form["languages"] = [s for s in raw.getlist("languages") if isinstance(s, str) and s in LANGUAGE_NAMES]
    rows = [
        {part: str(raw.get(f"{part}_{row}", "")).strip() for part in ("weekday", "starts", "ends")}
        for row in range(SLOT_ROWS)
    ]
    form["slots"] = rows
    fields = dict(FIELDS)
    slots = []
    for row, slot in enumerate(rows):
        if any(slot.values()):
            fields |= {f"availability.{len(slots)}.{part}": f"{part}_{row}" for part in slot}
            slots.append(slot)
    errors = []
    if not form["display_name"]:
        errors.append(FieldError("display_name", text(lang, "error_display_name_required")))
    if not form["contact"]:
        errors.append(FieldError("contact", text(lang, "error_contact_required")))
    if not form["quarter_id"]:
        errors.append(FieldError("quarter_id", text(lang, "error_quarter_required")))
    if not form["skills"]:
        errors.append(FieldError("skills", text(lang, "error_skills_required")))
    if not errors:
        body = {k: form[k] for k in ("display_name", "contact", "quarter_id", "skills", "languages")}
        try:
            received = await request.app.state.matching.apply(lang, body | {"availability": slots}, client=client)
        except ApiProblem as problem:
            if problem.status == 429:  # matching's own limit (per newcomer when it trusts the portal)
                return too_many(request, _retry_after(problem))
            if problem.status not in (409, 422):
                raise
            errors = field_errors(problem, fields, default="display_name")
        else:
            return render(request, "matching/applied.html", reference=received.get("reference", ""))
    return _form_page(request, form, errors, 422)


def _retry_after(problem: ApiProblem) -> int:
    seconds = problem.body.get("retry_after_seconds")
    return seconds if isinstance(seconds, int) and seconds > 0 else 60
