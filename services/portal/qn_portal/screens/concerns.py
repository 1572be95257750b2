"""Team staff record a concern ("Neues Anliegen") and follow it. The form works without
JavaScript; htmx adds street suggestions and shows the quarter of the address as it is typed.
Every form carries an Idempotency-Key made when it was shown, so a double click or a resend of the
same form records the concern once."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import CONCERN_STATUS, HISTORY_KINDS, REFERRAL_REASONS, REFERRAL_STATUS, SIGNAL_TYPES, language, text
from ..messages_matching import WEEKDAY_NAMES
from ..pages import FieldError, render
from ..session import SignedIn
from .consents import consent_errors, consent_fields, record_consents
from .form_errors import field_errors
from .lookups import quarter_names, vocabulary

router = APIRouter()

# intake's field names -> the form's field ids (the error summary links to them)
FIELDS = {
    "channel": "channel",
    "topics": "topics",
    "urgency": "urgency",
    "address": "street",
    "address.street": "street",
    "address.house_number": "house_number",
    "address.postcode": "street",
    "quarter_id": "street",
    "note": "note",
    "person_id": "person",
    "weekly_slot": "slot_weekday",
    "weekly_slot.weekday": "slot_weekday",
    "weekly_slot.starts": "slot_starts",
    "weekly_slot.ends": "slot_ends",
}
SLOT_PARTS = ("slot_weekday", "slot_starts", "slot_ends")


@router.get("/anliegen/neu", response_class=HTMLResponse)
async def new_concern(
    request: Request, user: Annotated[SignedIn, POLICY.guard("GET /anliegen/neu")], person_id: uuid.UUID | None = None
) -> HTMLResponse:
    lang = language(request)
    form: dict[str, Any] = {"idempotency_key": str(uuid.uuid4()), "topics": [], "consents": []}
    person = await _person(request, user, lang, str(person_id)) if person_id else None
    if person:
        # the person's address is where the concern usually is; staff may change it
        form |= {
            "person_id": person["id"],
            "street": person.get("street") or "",
            "house_number": person.get("house_number") or "",
        }
    return render(
        request,
        "concern_new.html",
        words=await vocabulary(request, user, lang),
        form=form,
        person=person,
        weekday_names=WEEKDAY_NAMES,
    )


async def _person(request: Request, user: SignedIn, lang: str, person_id: str) -> dict[str, Any]:
    return await request.app.state.intake.call(
        user, lang, "GET", f"/persons/{person_id}", params={"purpose": "case_work"}
    )


@router.post("/anliegen", response_class=HTMLResponse)
async def record_concern(request: Request, user: Annotated[SignedIn, POLICY.guard("POST /anliegen")]) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {
        "street": str(raw.get("street", "")).strip(),
        "house_number": str(raw.get("house_number", "")).strip(),
        "topics": [str(t) for t in raw.getlist("topics")],
        "urgency": str(raw.get("urgency", "")),
        "channel": str(raw.get("channel", "")),
        "note": str(raw.get("note", "")).strip(),
        "idempotency_key": _key(raw.get("idempotency_key")),
        "person_id": _id_or_empty(raw.get("person_id")),
        **{part: str(raw.get(part, "")).strip() for part in SLOT_PARTS},
        **consent_fields(raw),
    }
    errors = _missing(form, lang) + consent_errors(form, lang, request.app.state.clock.now())
    candidates: list[dict[str, object]] = []
    if not errors:
        body: dict[str, object] = {
            "channel": form["channel"],
            "topics": form["topics"],
            "urgency": form["urgency"],
            "address": {"street": form["street"], "house_number": form["house_number"] or None},
        }
        if form["note"]:
            body["note"] = form["note"]
        if form["person_id"]:
            body["person_id"] = form["person_id"]
        if form["slot_weekday"]:
            body["weekly_slot"] = {
                "weekday": form["slot_weekday"],
                "starts": form["slot_starts"],
                "ends": form["slot_ends"],
            }
        try:
            concern = await request.app.state.intake.call(
                user, lang, "POST", "/concerns", json=body, idempotency_key=str(form["idempotency_key"])
            )
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors = field_errors(problem, FIELDS, default="street")
            candidates = [c for c in problem.body.get("candidates", []) if isinstance(c, dict)]
            # a corrected form is a new request: it gets a key of its own
            form["idempotency_key"] = str(uuid.uuid4())
        else:
            recorded = await record_consents(request, user, lang, form, concern)
            consents = f"&einwilligungen={recorded}" if recorded else ""
            return RedirectResponse(f"/anliegen/{concern['id']}?neu=1{consents}", status_code=303)
    person = await _person(request, user, lang, str(form["person_id"])) if form["person_id"] else None
    return render(
        request,
        "concern_new.html",
        status=422,
        errors=errors,
        words=await vocabulary(request, user, lang),
        form=form,
        candidates=candidates,
        person=person,
        weekday_names=WEEKDAY_NAMES,
    )


def _id_or_empty(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return ""


def _key(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return str(uuid.uuid4())


def _missing(form: dict[str, object], lang: str) -> list[FieldError]:
    errors = []
    if not form["street"]:
        errors.append(FieldError("street", text(lang, "error_street_required")))
    if not form["topics"]:
        errors.append(FieldError("topics", text(lang, "error_topics_required")))
    if not form["urgency"]:
        errors.append(FieldError("urgency", text(lang, "error_urgency_required")))
    if not form["channel"]:
        errors.append(FieldError("channel", text(lang, "error_channel_required")))
    # weekly help needs its day and both times; a time without a day would be dropped unseen
    if any(form[part] for part in SLOT_PARTS):
        for part in SLOT_PARTS:
            if not form[part]:
                errors.append(FieldError(part, text(lang, f"error_{part}_required")))
    return errors


@router.get("/anliegen/{concern_id}", response_class=HTMLResponse)
async def show_concern(
    request: Request,
    concern_id: uuid.UUID,
    user: Annotated[SignedIn, POLICY.guard("GET /anliegen/{concern_id}")],
    neu: bool = False,
    einwilligungen: Annotated[int, Query(ge=0, le=50)] = 0,
) -> HTMLResponse:
    lang = language(request)
    intake = request.app.state.intake
    concern = await intake.call(user, lang, "GET", f"/concerns/{concern_id}")
    # each referral's status timeline (intake's concern shows only the current status)
    timelines = {
        r["id"]: (await intake.call(user, lang, "GET", f"/referrals/{r['id']}")).get("transitions", [])
        for r in concern.get("referrals", [])
    }
    signals, follow_ups = await _signals_and_follow_ups(request, user, lang, concern)
    return render(
        request,
        "concern.html",
        concern=concern,
        recorded=neu,
        consents_recorded=einwilligungen,
        timelines=timelines,
        signals=signals,
        follow_ups=follow_ups,
        signal_types=SIGNAL_TYPES,
        history_kinds=HISTORY_KINDS,
        weekday_names=WEEKDAY_NAMES,
        concern_status=CONCERN_STATUS,
        referral_status=REFERRAL_STATUS,
        referral_reasons=REFERRAL_REASONS,
        words=await vocabulary(request, user, lang),
        quarters=await quarter_names(request, user, lang),
    )


async def _signals_and_follow_ups(
    request: Request, user: SignedIn, lang: str, concern: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The concern's signals and follow-up tasks. Intake lists them per team, not per concern:
    the team's latest page is read and the concern's picked out, which shows everything recent
    (an older one stays in the team's lists)."""
    intake, team = request.app.state.intake, concern.get("team_id")
    signals = await intake.call(user, lang, "GET", "/signals", params={"team_id": team, "page_size": 100})
    follow_ups = await intake.call(user, lang, "GET", "/follow-ups", params={"team_id": team, "page_size": 100})
    mine = concern["id"]
    return (
        [s for s in signals.get("items", []) if s.get("concern_id") == mine],
        [f for f in follow_ups.get("items", []) if f.get("concern_id") == mine],
    )


@router.get("/adressen/vorschlaege", response_class=HTMLResponse)
async def street_suggestions(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /adressen/vorschlaege")],
    street: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    streets: list[dict[str, object]] = []
    if len(street.strip()) >= 2:
        found = await request.app.state.intake.call(
            user, language(request), "GET", "/addresses/streets", params={"prefix": street.strip()}
        )
        streets = found.get("streets", [])
    return render(request, "_street_options.html", streets=streets)


@router.get("/adressen/quartier", response_class=HTMLResponse)
async def quarter_of_address(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /adressen/quartier")],
    street: Annotated[str, Query(max_length=200)] = "",
    house_number: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    resolved, problem = None, None
    if street.strip():
        try:
            resolved = await request.app.state.intake.call(
                user,
                language(request),
                "GET",
                "/addresses/resolve",
                params={"street": street.strip(), "house_number": house_number.strip()},
            )
        except ApiProblem as exc:
            if exc.status not in (404, 409, 422):
                raise
            problem = exc.errors[0][1] if exc.errors else exc.detail
    return render(request, "_quarter.html", resolved=resolved, problem=problem)
