"""HTTP route for the published tables: public (see `..access`), since every figure in them is
protected."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from qn_infra.http import language

from ..breakdowns import store as breakdowns_store
from ..figures.api import CountMetric
from ..figures.catalogue import COUNTS
from ..figures.domain import InvalidParameter
from . import domain, handlers
from .csv_export import csv_response
from .details import DETAILS, detail_label
from .schemas import Freshness, Protection, TableOut, TableRow

router = APIRouter(tags=["tables"])

NOTE = {
    "de": "Werte unter {minimum} sind gesperrt („.“), ebenso so viele weitere, dass sich kein gesperrter Wert aus "
    "Summen oder anderen Tabellen dieses Jahres zurückrechnen lässt.",
    "en": "Values below {minimum} are not shown ('.'), nor are as many others as it takes that no hidden value "
    "can be worked out from totals or from this year's other tables.",
}
METHOD_NOTE = {
    "de": {
        "rounding": " Die gezeigten Werte sind auf Vielfache von 5 gerundet; Summen können daher abweichen.",
        "cell_key": " Die gezeigten Werte sind leicht und für jede Zelle immer gleich überlagert (Cell-Key-"
        "Verfahren, höchstens ±2); Summen können daher abweichen.",
        "withheld": " Für die Tabellen dieses Jahres wurde rechtzeitig kein Muster verborgener Zellen gefunden; "
        "daher sind alle Zellen außer den leeren verborgen.",
    },
    "en": {
        "rounding": " Shown values are rounded to multiples of 5, so totals may differ from their parts.",
        "cell_key": " Shown values carry a small noise, always the same for the same cell (cell-key method, "
        "at most ±2), so totals may differ from their parts.",
        "withheld": " No pattern of hidden cells was found in time for this year's tables, so every cell but the "
        "empty ones is hidden.",
    },
}


def protection_note(lang: str, minimum: int, method: str) -> str:
    """What the protection of a table means, in the reader's language."""
    # the method code joins its parts with "+" ("..._suppression+rounding_5", "+withheld")
    extra = "".join(text for key, text in METHOD_NOTE[lang].items() if key in method)
    return NOTE[lang].format(minimum=minimum) + extra


PLACE_LABELS = {
    "de": {domain.CITY: "Stadt gesamt", "": "ohne Quartier"},
    "en": {domain.CITY: "City total", "": "no quarter"},
}


def _place(code: str) -> str:
    if code == domain.CITY:
        return "city"
    if code.startswith(domain.DISTRICT):
        return "district:" + code.removeprefix(domain.DISTRICT)
    return code


@router.get(
    "/tables/{metric}",
    response_model=TableOut,
    summary="A published table: protected counts, no login",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_table(
    request: Request,
    metric: Annotated[CountMetric, Path(description="A count metric, see GET /metrics-catalogue.")],
    year: Annotated[int, Query(ge=2000, le=2100, description="Calendar year (Europe/Berlin).")],
    time: Annotated[domain.TimeLevel, Query(description="Rows per month, Quartal or year.")] = domain.TimeLevel.QUARTAL,
    place: Annotated[domain.PlaceLevel, Query(description="Rows per quarter, district or city.")] = (
        domain.PlaceLevel.QUARTER
    ),
    topics: Annotated[bool, Query(description="Also one row per topic, beside all topics ('*').")] = False,
    details: Annotated[
        bool,
        Query(
            description="Also one row per detail: the channel a concern came by (grouped into first contacts and "
            "referrals), or the kind of help. Only for the metrics that have them: " + ", ".join(sorted(DETAILS)) + "."
        ),
    ] = False,
    format: Annotated[
        Literal["json", "csv"],
        Query(description="json, or csv the way German spreadsheets open it (semicolons, UTF-8 with BOM)."),
    ] = "json",
) -> TableOut | Response:
    lang = language(request)
    if details and metric not in DETAILS:
        known = ", ".join(sorted(DETAILS))
        raise InvalidParameter(
            f"Für „{metric}“ gibt es keine Aufgliederung; möglich ist sie für: {known}.",
            f"'{metric}' has no details; these metrics have them: {known}.",
            field="details",
        )
    state = request.app.state
    with state.runtime.sessions() as session:
        table = handlers.get_table(
            state.protected_cubes,
            session,
            metric=metric,
            year=year,
            time=time,
            place=place,
            by_topic=topics,
            by_detail=details,
        )
        event_type = COUNTS[metric].event_type
        latest, events = breakdowns_store.freshness(session, [event_type])
    labels = PLACE_LABELS[lang]
    city = state.protected_cubes.city
    rows = [
        TableRow(
            period=cell.time,
            place=_place(cell.place),
            place_label=labels.get(cell.place) or city.label(cell.place.removeprefix(domain.DISTRICT)),
            topic=cell.topic,
            detail=cell.detail,
            detail_label=None if cell.detail == "*" else detail_label(cell.detail, lang),
            value=cell.value,
            flag="." if cell.value is None else None,
        )
        for cell in table.cells
    ]
    out = TableOut(
        metric=metric,
        label=COUNTS[metric].label(lang),
        year=year,
        time=time.value,
        place=place.value,
        detail_label=DETAILS[metric].label(lang) if details else None,
        freshness=Freshness(latest_event_time=latest, events=events, event_types=[event_type]),
        protection=Protection(
            method=table.method,
            minimum=table.minimum,
            hidden_cells_in_year=table.hidden_in_year,
            note=protection_note(lang, table.minimum, table.method),
        ),
        rows=rows,
    )
    if format == "csv":
        return csv_response(out, lang)
    return out
