"""Kümmerer report an observation from their phone (an early-warning signal: loneliness, neglect,
...) and see what became of each: the follow-up task intake made for the quarter's team, open or
done. The form is one column and works without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import SIGNAL_TYPES, language, text
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors
from .lookups import quarter_names

router = APIRouter()
FIELDS = {
    "signal_type": "signal_type",
    "address": "street",
    "address.street": "street",
    "address.house_number": "house_number",
    "quarter_id": "quarter_id",
    "note": "note",
}


@router.get("/signale", response_class=HTMLResponse)
async def my_signals(
    request: Request, user: Annotated[SignedIn, POLICY.guard("GET /signale")], neu: bool = False
) -> HTMLResponse:
    lang = language(request)
    found = await request.app.state.intake.call(user, lang, "GET", "/signals", params={"page_size": 50})
    return render(
        request,
        "signals.html",
        items=found.get("items", []),
        recorded=neu,
        types=SIGNAL_TYPES,
        quarters=await quarter_names(request, user, lang),
    )


async def _form(
    request: Request, user: SignedIn, form: dict[str, str], errors: list[FieldError], status: int
) -> HTMLResponse:
    lang = language(request)
    return render(
        request,
        "signal_new.html",
        status=status,
        errors=errors,
        form=form,
        types=SIGNAL_TYPES,
        quarters=await quarter_names(request, user, lang),
    )


@router.get("/signale/neu", response_class=HTMLResponse)
async def new_signal(request: Request, user: Annotated[SignedIn, POLICY.guard("GET /signale/neu")]) -> HTMLResponse:
    return await _form(request, user, {}, [], 200)


@router.post("/signale", response_class=HTMLResponse)
async def report_signal(request: Request, user: Annotated[SignedIn, POLICY.guard("POST /signale")]) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in ("signal_type", "street", "house_number", "quarter_id", "note")}
    errors = []
    if form["signal_type"] not in SIGNAL_TYPES:
        errors.append(FieldError("signal_type", text(lang, "error_signal_type_required")))
    if not form["street"] and not form["quarter_id"]:
        errors.append(FieldError("street", text(lang, "error_where_required")))
    if not errors:
        body: dict[str, object] = {"signal_type": form["signal_type"]}
        if form["street"]:
            body["address"] = {"street": form["street"], "house_number": form["house_number"] or None}
        else:
            body["quarter_id"] = form["quarter_id"]
        if form["note"]:
            body["note"] = form["note"]
        try:
            await request.app.state.intake.call(user, lang, "POST", "/signals", json=body)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors = field_errors(problem, FIELDS, default="street")
        else:
            return RedirectResponse("/signale?neu=1", status_code=303)
    return await _form(request, user, form, errors, 422)
