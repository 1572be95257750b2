"""Room requests: a carrier asks for a room at a drop-in centre (one slot), sees what became of
its requests and withdraws one still pending; the coordinators see a centre's pending requests
and approve them (scheduling books the slots) or reject them with a reason. Scheduling decides
everything -- which requests a carrier sees, whether the slot is free, the carrier's quota -- and
names the field; the portal puts its sentence next to that field."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..messages_scheduling import REJECT_REASONS, REQUEST_STATUS
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .scheduling_week import SiteId, berlin_timestamp

router = APIRouter()
FIELDS = {"starts_at": "starts", "ends_at": "ends", "title": "title", "org_id": "room", "purpose": "title"}
FORM_FIELDS = ("room", "day", "starts", "ends", "title")


def request_body(form: dict[str, str], lang: str) -> tuple[str, str, dict[str, Any], list[FieldError]]:
    """Site, room and scheduling's body from the form -- or what is missing before asking it."""
    errors = []
    site_id, _, room_id = form["room"].partition("/")
    if not (site_id and room_id):
        errors.append(FieldError("room", text(lang, "error_room")))
    starts_at, ends_at = berlin_timestamp(form["day"], form["starts"]), berlin_timestamp(form["day"], form["ends"])
    if berlin_timestamp(form["day"], "00:00") is None:
        errors.append(FieldError("day", text(lang, "error_day")))
    else:
        errors += [
            FieldError(f, text(lang, "error_time"))
            for f, at in (("starts", starts_at), ("ends", ends_at))
            if at is None
        ]
    if not form["title"]:
        errors.append(FieldError("title", text(lang, "error_title")))
    return site_id, room_id, {"starts_at": starts_at, "ends_at": ends_at, "title": form["title"]}, errors


async def _requests_of(
    request: Request, user: SignedIn, lang: str, sites: list[dict[str, Any]], **params: str
) -> list[Any]:
    found = await asyncio.gather(
        *(
            request.app.state.scheduling.call(user, lang, "GET", f"/sites/{s['site_id']}/requests", params=params)
            for s in sites
        )
    )
    rooms = {(s["site_id"], r["room_id"]): (s["name"], r["name"]) for s in sites for r in s.get("rooms", [])}
    rows = [
        r | {"site_name": rooms.get((r["site_id"], r["room_id"]), (r["site_id"], ""))[0],
             "room_name": rooms.get((r["site_id"], r["room_id"]), ("", r["room_id"]))[1]}
        for listed in found for r in listed
    ]  # fmt: skip
    return sorted(rows, key=lambda r: r["slots"][0]["starts_at"] if r.get("slots") else r["created_at"])


async def _carrier_page(
    request: Request,
    user: SignedIn,
    *,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    saved: str = "",
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    sites = await request.app.state.scheduling.call(user, lang, "GET", "/sites")
    return render(
        request,
        "scheduling/room_requests.html",
        status=status,
        errors=errors,
        form=form or {},
        saved=saved,
        sites=sites,
        items=await _requests_of(request, user, lang, sites),
        statuses=REQUEST_STATUS,
        reasons=REJECT_REASONS,
    )


@router.get("/raumanfragen", response_class=HTMLResponse)
async def room_requests(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /raumanfragen")],
    gespeichert: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return await _carrier_page(request, user, saved=gespeichert)


@router.post("/raumanfragen", response_class=HTMLResponse)
async def ask_for_room(request: Request, user: Annotated[SignedIn, POLICY.guard("POST /raumanfragen")]) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in FORM_FIELDS}
    site_id, room_id, body, errors = request_body(form, lang)
    if errors:
        return await _carrier_page(request, user, errors=errors, form=form, status=422)
    try:
        await request.app.state.scheduling.call(
            user, lang, "POST", f"/sites/{site_id}/rooms/{room_id}/requests", json=body
        )
    except ApiProblem as problem:
        if problem.status not in (404, 409, 422):
            raise
        # 404: no such site or room (a stale form); 409: the slot is taken or the quota used up
        default = "room" if problem.status == 404 else "day"
        errors = field_errors(problem, FIELDS, default=default)
        return await _carrier_page(request, user, errors=errors, form=form, status=problem.status)
    return RedirectResponse("/raumanfragen?gespeichert=requested", status_code=303)


@router.post("/raumanfragen/{request_id}/zurueckziehen", response_class=HTMLResponse)
async def withdraw(
    request: Request,
    request_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /raumanfragen/{request_id}/zurueckziehen")],
) -> Response:
    lang = language(request)
    try:
        await request.app.state.scheduling.call(user, lang, "POST", f"/requests/{request_id}/withdraw")
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        # decided meanwhile: the list shows how
        return await _carrier_page(request, user, errors=[FieldError("room", problem.detail)], status=409)
    return RedirectResponse("/raumanfragen?gespeichert=withdrawn", status_code=303)


async def _site_page(
    request: Request,
    user: SignedIn,
    site_id: str,
    *,
    errors: list[FieldError] | None = None,
    form: dict[str, str] | None = None,
    saved: str = "",
    status: int = 200,
) -> HTMLResponse:
    lang = language(request)
    site = await request.app.state.scheduling.call(user, lang, "GET", f"/sites/{site_id}")
    return render(
        request,
        "scheduling/site_requests.html",
        status=status,
        errors=errors,
        form=form or {},
        saved=saved,
        site=site,
        items=await _requests_of(request, user, lang, [site], status="pending"),
        reasons=REJECT_REASONS,
    )


@router.get("/treffs/{site_id}/raumanfragen", response_class=HTMLResponse)
async def site_requests(
    request: Request,
    site_id: SiteId,
    user: Annotated[SignedIn, POLICY.guard("GET /treffs/{site_id}/raumanfragen")],
    gespeichert: Annotated[str, Query(max_length=30)] = "",
) -> HTMLResponse:
    return await _site_page(request, user, site_id, saved=gespeichert)


async def _decide(
    request: Request,
    user: SignedIn,
    site_id: str,
    path: str,
    body: dict[str, Any] | None,
    form: dict[str, str],
    saved: str,
) -> Response:
    lang = language(request)
    try:
        await request.app.state.scheduling.call(user, lang, "POST", path, json=body)
    except ApiProblem as problem:
        if problem.status not in (409, 422):
            raise
        # each pending request has its own reject form: the sentence goes to that request's fields
        suffix = path.split("/")[2]
        fields = {"reason": f"reject_reason-{suffix}", "note": f"reject_note-{suffix}"} if problem.status == 422 else {}
        errors = field_errors(problem, fields, default=f"reject_reason-{suffix}")
        return await _site_page(request, user, site_id, errors=errors, form=form, status=problem.status)
    return RedirectResponse(f"/treffs/{site_id}/raumanfragen?gespeichert={saved}", status_code=303)


@router.post("/treffs/{site_id}/raumanfragen/{request_id}/genehmigen", response_class=HTMLResponse)
async def approve(
    request: Request,
    site_id: SiteId,
    request_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /treffs/{site_id}/raumanfragen/{request_id}/genehmigen")],
) -> Response:
    return await _decide(request, user, site_id, f"/requests/{request_id}/approve", {}, {}, "approved")


@router.post("/treffs/{site_id}/raumanfragen/{request_id}/ablehnen", response_class=HTMLResponse)
async def reject(
    request: Request,
    site_id: SiteId,
    request_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("POST /treffs/{site_id}/raumanfragen/{request_id}/ablehnen")],
) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in ("reject_reason", "reject_note")}
    form["request_id"] = str(request_id)
    if form["reject_reason"] not in REJECT_REASONS:
        errors = [FieldError(f"reject_reason-{request_id}", text(lang, "error_reason"))]
        return await _site_page(request, user, site_id, errors=errors, form=form, status=422)
    body = {"reason": form["reject_reason"], **({"note": form["reject_note"]} if form["reject_note"] else {})}
    return await _decide(request, user, site_id, f"/requests/{request_id}/reject", body, form, "rejected")
