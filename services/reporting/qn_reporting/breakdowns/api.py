"""HTTP route for the finer figures: public (see `..access`), since every value in them is protected."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from qn_infra.http import language

from ..city import City
from ..tables.api import protection_note
from ..tables.details import DETAILS, detail_label
from ..tables.schemas import Protection
from . import handlers, occupancy
from .catalogue import FigureSpec
from .csv_export import csv_response
from .cubes import ALL, KIND, SITES, TARGETS
from .schemas import ColumnOut, FigureOut, FigureRowOut, FlagOut, Freshness, WeekOut

router = APIRouter(tags=["figures"])

FigureName = Literal[
    "concerns",
    "referrals",
    "unmet_need",
    "early_warning",
    "signals",
    "follow_ups",
    "neighbourly_help",
    "attendance",
    "drop_in",
    "occupancy",
]
PLACES = {
    "de": {
        "@city": "Stadt gesamt", "": "ohne Quartier", SITES: "alle Angebotstreffs", TARGETS: "alle Empfänger",
        KIND + "carrier": "Träger", KIND + "office": "Ämter", KIND + "team": "Quartiersteams",
    },
    "en": {
        "@city": "City total", "": "no quarter", SITES: "all drop-in centres", TARGETS: "all recipients",
        KIND + "carrier": "Carriers", KIND + "office": "Offices", KIND + "team": "Neighbourhood teams",
    },
}  # fmt: skip


def place_code(code: str) -> str:
    if code == "@city":
        return "city"
    if code == SITES:
        return "sites"
    if code == TARGETS:
        return "targets"
    return code.replace("@district:", "district:").replace(KIND, "kind:")


def place_label(code: str, lang: str, city: City, names: handlers.Names) -> str:
    if code in PLACES[lang]:
        return PLACES[lang][code]
    if code.startswith(KIND):
        return code.removeprefix(KIND)
    organisation = next((o for o in city.organisations if o.id == code), None)
    if organisation is not None and not any(q.id == code for q in city.quarters):
        return organisation.name
    if code.startswith("@district:"):
        return city.label(code.removeprefix("@district:"))
    if "/" in code:
        site, offer = code.split("/", 1)
        return f"{names.sites.get(site, site)}: {names.offers.get(offer, (site, offer or '–'))[1]}"
    if code in names.sites:
        return names.sites[code]
    return city.label(code)


def detail_groups(spec: FigureSpec) -> dict[str, list[str]]:
    """The groups of the details a figure's table splits its events into (channels: first contacts
    and referrals)."""
    for column in spec.columns:
        details = DETAILS.get(column.same_as or "")
        if details is not None and spec.cut_from_table(column):
            return {group: list(codes) for group, codes in details.groups.items()}
    return {}


def place_groups(spec: FigureSpec, city: City, seen: set[str]) -> dict[str, list[str]]:
    """The recipients of the referrals by kind, as the city lists them."""
    if spec.shape.places != "targets":
        return {}
    groups: dict[str, list[str]] = {}
    for organisation in city.organisations:
        if organisation.id in seen and organisation.kind:
            groups.setdefault(place_code(KIND + organisation.kind), []).append(organisation.id)
    return groups


def figure_out(figure: handlers.Figure, lang: str, city: City, names: handlers.Names) -> FigureOut:
    spec = figure.spec
    if spec.shape.places != "sites":  # quarter ids and site ids may coincide: name sites only here
        names = handlers.Names({}, {})
    columns = [
        ColumnOut(name=c.name, label=c.label_de if lang == "de" else c.label_en, kind=c.protection)
        for c in spec.columns
    ]
    columns += [
        ColumnOut(name=r.name, label=r.label_de if lang == "de" else r.label_en, kind="share") for r in spec.ratios
    ]
    rows = [
        FigureRowOut(
            period=row.time,
            place=place_code(row.place),
            place_label=place_label(row.place, lang, city, names),
            topic=row.topic,
            detail="*" if row.detail == ALL else row.detail,
            detail_label=None if row.detail == ALL or spec.shape.places == "sites" else detail_label(row.detail, lang),
            values=row.values,
        )
        for row in figure.rows
    ]
    return FigureOut(
        figure=spec.name,
        label=spec.label(lang),
        year=figure.year,
        columns=columns,
        detail_label=(spec.detail_de if lang == "de" else spec.detail_en) or None,
        detail_groups=detail_groups(spec),
        place_groups=place_groups(spec, city, {row.place for row in figure.rows}),
        freshness=Freshness(
            latest_event_time=figure.latest,
            events=figure.events,
            event_types=[source.spec.type for source in spec.sources],
        ),
        protection=Protection(
            method=figure.method,
            minimum=figure.minimum,
            hidden_cells_in_year=figure.hidden,
            note=protection_note(lang, figure.minimum, figure.method),
        ),
        rows=rows,
        flagged=[
            FlagOut(
                place=flag.place,
                place_label=place_label(flag.place, lang, city, names),
                weeks=[WeekOut(week=w.week, signals=w.count, z=w.z) for w in flag.weeks],
            )
            for flag in figure.flags
        ],
    )


@router.get(
    "/figures/{figure}",
    response_model=FigureOut,
    summary="A published figure: concerns by channel, referrals by recipient and outcome, unmet need, early "
    "warning, neighbourly help, drop-in centres (protected); the rooms' occupancy (room hours, no people)",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_figure(
    request: Request,
    figure: Annotated[FigureName, Path(description="The figure.")],
    year: Annotated[int, Query(ge=2000, le=2100, description="Calendar year (ISO week-year for weekly figures).")],
    format: Annotated[
        Literal["json", "csv"],
        Query(description="json, or csv the way German spreadsheets open it (semicolons, UTF-8 with BOM)."),
    ] = "json",
    lang: Annotated[
        Literal["de", "en"] | None, Query(description="Language of labels (default: Accept-Language).")
    ] = None,
) -> FigureOut | Response:
    lang = lang or language(request)
    state = request.app.state
    breakdowns: handlers.ProtectedBreakdowns = state.protected_breakdowns
    with state.runtime.sessions() as session:
        if figure == "occupancy":
            out = occupancy.figure(session, year, lang)
        else:
            found = handlers.get_figure(breakdowns, session, name=figure, year=year)
            names = handlers.offer_names(session)
            out = figure_out(found, lang, breakdowns.city, names)
    if format == "csv":
        return csv_response(out, lang)
    return out
