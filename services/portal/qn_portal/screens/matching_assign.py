"""A coordinator places one help request by hand: the request with whom matching asked so far
(and why), the active volunteers to choose from, and two ways -- assign one volunteer who agreed
on the phone (an accepted task at once), or offer it to several at once (the first to accept gets
it). Matching decides: its refusal (a hard rule broken, a soft rule not overridden, the request no
longer open) comes back as its sentence next to the volunteer or the override it names."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, pick, text
from ..messages_matching import HELP_KINDS, LANGUAGE_NAMES, MATCH_STATUS, UNMATCHED_REASONS, URGENCIES, WEEKDAY_NAMES
from ..pages import FieldError, render
from ..session import SignedIn
from .lookups import quarter_names

router = APIRouter()
OVERRIDES = ("out_of_reach", "at_capacity")
VOLUNTEERS_FIELD = "volunteers"
"""The id of the candidate list's first checkbox: where a sentence about the choice as a whole goes."""
REQUEST_STATUS = {
    "proposed": ("wartet auf Antwort", "waiting for an answer"),
    "matched": ("vergeben", "matched"),
    "unmatched": ("offen – niemand gefunden", "unmatched"),
    "completed": ("erledigt", "completed"),
    "cancelled": ("abgebrochen", "cancelled"),
}


def checkbox_id(volunteer_id: str, candidates: list[dict[str, Any]]) -> str:
    """The candidate's checkbox: the first one carries the list's own id (the summary links there)."""
    first = candidates[0]["id"] if candidates else None
    return VOLUNTEERS_FIELD if volunteer_id == first else f"volunteer-{volunteer_id}"


def refusal_errors(
    problem: ApiProblem, chosen: list[str], candidates: list[dict[str, Any]], lang: str
) -> list[FieldError]:
    """Matching's problem as sentences at the fields: a broken hard rule next to the volunteer it
    names (`volunteer_id`, `volunteer_ids.<n>`: the n-th chosen), a soft rule at the overrides (in
    the portal's words: matching's names the API field), the request's status at the status."""
    if problem.status == 409:
        return [FieldError("status", problem.detail)]
    names = {c["id"]: c.get("display_name", "") for c in candidates}
    if problem.code == "override_needed":
        target = _volunteer_of(str(problem.body.get("volunteer_field", "")), chosen)
        rules = "; ".join(pick(lang, r) for r in problem.body.get("rules", []) if isinstance(r, dict))
        return [FieldError("overrides", text(lang, "assign_override_needed", name=names.get(target, ""), rules=rules))]
    errors = []
    for name, message in problem.errors or [("", problem.detail)]:
        target = _volunteer_of(name, chosen)
        errors.append(FieldError(checkbox_id(target, candidates) if target else VOLUNTEERS_FIELD, message))
    return errors


def _volunteer_of(field: str, chosen: list[str]) -> str:
    """The volunteer a field of matching's bodies names: `volunteer_id`, or `volunteer_ids.<n>`."""
    if field == "volunteer_id" and len(chosen) == 1:
        return chosen[0]
    head, _, index = field.partition(".")
    if head == "volunteer_ids" and index.isdigit() and int(index) < len(chosen):
        return chosen[int(index)]
    return ""


async def _candidates(request: Request, user: SignedIn, lang: str) -> list[dict[str, Any]]:
    # only active volunteers can be placed; matching checks every other rule when the form is sent
    found = await request.app.state.matching.call(user, lang, "GET", "/volunteers", params={"status": "active"})
    return list(found)


async def request_page(
    request: Request,
    user: SignedIn,
    help_request_id: uuid.UUID,
    *,
    errors: list[FieldError] | None = None,
    form: dict[str, Any] | None = None,
    saved: str = "",
    status: int = 200,
    candidates: list[dict[str, Any]] | None = None,
) -> HTMLResponse:
    lang = language(request)
    matching = request.app.state.matching
    help_request = await matching.call(user, lang, "GET", f"/help-requests/{help_request_id}")
    candidates = candidates if candidates is not None else await _candidates(request, user, lang)
    return render(
        request,
        "matching/assign.html",
        status=status,
        errors=errors,
        form=form or {},
        saved=saved,
        item=help_request,
        open=help_request.get("status") in ("unmatched", "proposed"),
        asked={m["volunteer_id"] for m in help_request.get("matches", [])},
        candidates=candidates,
        box=lambda volunteer_id: checkbox_id(volunteer_id, candidates),
        overrides=OVERRIDES,
        kinds=HELP_KINDS,
        language_names=LANGUAGE_NAMES,
        urgencies=URGENCIES,
        reasons=UNMATCHED_REASONS,
        match_labels=MATCH_STATUS,
        request_labels=REQUEST_STATUS,
        weekday_names=WEEKDAY_NAMES,
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/anfragen/{help_request_id}", response_class=HTMLResponse)
async def show_request(
    request: Request,
    help_request_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /anfragen/{help_request_id}")],
    gespeichert: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return await request_page(request, user, help_request_id, saved=gespeichert)


async def _chosen(request: Request) -> dict[str, Any]:
    raw = await request.form()
    volunteers = [str(v) for v in raw.getlist("volunteer_ids") if _is_uuid(str(v))]
    return {
        "volunteer_ids": list(dict.fromkeys(volunteers)),  # a resent form may repeat one: name each once
        "overrides": [str(o) for o in raw.getlist("overrides") if o in OVERRIDES],
    }


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _place(
    request: Request, user: SignedIn, help_request_id: uuid.UUID, form: dict[str, Any], path: str, body: dict[str, Any]
) -> Any:
    """Sends the coordinator's choice to matching: its answer, or the page again with its sentences."""
    lang = language(request)
    try:
        return await request.app.state.matching.call(user, lang, "POST", path, json=body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        candidates = await _candidates(request, user, lang)
        errors = refusal_errors(problem, form["volunteer_ids"], candidates, lang)
        return await request_page(
            request, user, help_request_id, errors=errors, form=form, status=problem.status, candidates=candidates
        )


@router.post("/anfragen/{help_request_id}/zuteilen", response_class=HTMLResponse)
async def assign(
    request: Request,
    help_request_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /anfragen/{help_request_id}/zuteilen")],
) -> Response:
    form = await _chosen(request)
    if len(form["volunteer_ids"]) != 1:
        errors = [FieldError(VOLUNTEERS_FIELD, text(language(request), "error_assign_one"))]
        return await request_page(request, user, help_request_id, errors=errors, form=form, status=422)
    body = {"volunteer_id": form["volunteer_ids"][0], "overrides": form["overrides"]}
    answer = await _place(request, user, help_request_id, form, f"/help-requests/{help_request_id}/assign", body)
    if isinstance(answer, Response):
        return answer
    return RedirectResponse(f"/einsaetze/{answer['id']}?gespeichert=assigned", status_code=303)


@router.post("/anfragen/{help_request_id}/anbieten", response_class=HTMLResponse)
async def offer(
    request: Request,
    help_request_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /anfragen/{help_request_id}/anbieten")],
) -> Response:
    form = await _chosen(request)
    if len(form["volunteer_ids"]) < 2:
        # matching would say so too, in the API's words; the page names the checkboxes
        errors = [FieldError(VOLUNTEERS_FIELD, text(language(request), "error_offer_several"))]
        return await request_page(request, user, help_request_id, errors=errors, form=form, status=422)
    body = {"volunteer_ids": form["volunteer_ids"], "overrides": form["overrides"]}
    answer = await _place(request, user, help_request_id, form, f"/help-requests/{help_request_id}/offers", body)
    if isinstance(answer, Response):
        return answer
    return RedirectResponse(f"/anfragen/{help_request_id}?gespeichert=offered", status_code=303)
