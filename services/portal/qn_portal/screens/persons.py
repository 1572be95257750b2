"""Team staff look a person up within their team -- or add them, and then see intake's duplicate
suggestion -- before they record a concern for them. One thing per page, as GOV.UK's patterns
have it; the concern form then carries the chosen person's id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..pages import FieldError, render
from ..session import SignedIn
from .form_errors import field_errors

router = APIRouter()
FIELDS = {
    "given_name": "family_name",
    "family_name": "family_name",
    "birth_year": "birth_year",
    "phone": "phone",
    "address": "street",
    "address.street": "street",
    "address.house_number": "house_number",
}
PERSON_FIELDS = ("family_name", "given_name", "birth_year", "phone", "street", "house_number")


@router.get("/personen", response_class=HTMLResponse)
async def find_person(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /personen")],
    name: Annotated[str, Query(max_length=100)] = "",
    geburtsjahr: Annotated[str, Query(max_length=4)] = "",
) -> HTMLResponse:
    results: list[dict[str, Any]] | None = None
    errors: list[FieldError] = []
    if name.strip():
        try:
            found = await request.app.state.intake.call(
                user,
                language(request),
                "GET",
                "/persons",
                params={"name": name.strip(), "birth_year": geburtsjahr.strip() or None},
            )
            results = found.get("results", [])
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            errors = field_errors(problem, {"name": "name", "birth_year": "geburtsjahr"}, default="name")
    return render(
        request,
        "persons.html",
        status=422 if errors else 200,
        errors=errors,
        name=name,
        year=geburtsjahr,
        results=results,
        form={},
    )


@router.post("/personen", response_class=HTMLResponse)
async def add_person(request: Request, user: Annotated[SignedIn, POLICY.guard("POST /personen")]) -> Response:
    lang = language(request)
    raw = await request.form()
    form = {k: str(raw.get(k, "")).strip() for k in PERSON_FIELDS}
    errors: list[FieldError] = []
    if not (form["family_name"] or form["given_name"] or form["phone"]):
        errors.append(FieldError("family_name", text(lang, "error_person_required")))
    if not errors:
        body: dict[str, Any] = {k: form[k] for k in ("family_name", "given_name", "phone") if form[k]}
        if form["birth_year"]:
            body["birth_year"] = int(form["birth_year"]) if form["birth_year"].isdigit() else form["birth_year"]
        if form["street"]:
            body["address"] = {"street": form["street"], "house_number": form["house_number"] or None}
        try:
            person = await request.app.state.intake.call(user, lang, "POST", "/persons", json=body)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors = field_errors(problem, FIELDS, default="family_name")
        else:
            if not person.get("possible_duplicates"):
                return RedirectResponse(f"/anliegen/neu?person_id={person['id']}", status_code=303)
            return render(request, "persons.html", created=person, results=person["possible_duplicates"], form={})
    return render(request, "persons.html", status=422, errors=errors, form=form, results=None, name="", year="")
