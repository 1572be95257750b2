"""The public dashboard: one server-rendered page, German by default, no script, no CDN, no map
tiles. Every figure on it comes from the protected tables (`..tables`), so it shows nothing the
public API would not."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from qn_infra.http import language

from ..breakdowns import api as breakdowns_api
from ..breakdowns import handlers as breakdowns
from ..breakdowns import occupancy
from ..breakdowns import store as breakdowns_store
from ..breakdowns.catalogue import FIGURES
from ..breakdowns.schemas import FigureOut
from ..figures.api import CountMetric
from ..figures.catalogue import COUNTS
from ..tables import domain, handlers
from ..tables.api import protection_note
from . import charts, panels
from .texts import TEXTS

router = APIRouter(tags=["dashboard"])
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"])
)
PUBLIC_METRICS = ("concern.recorded", "referral.requested", "signal.raised", "help.requested", "booking.confirmed")
"""The counts the public page offers (a committee's finer figures come through the web app)."""


@router.get("/dashboard", response_class=HTMLResponse, summary="The public dashboard (HTML, no login)")
def get_dashboard(
    request: Request,
    metric: Annotated[CountMetric, Query(description="A count metric, see GET /metrics-catalogue.")] = (
        "concern.recorded"
    ),
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    time: Annotated[Literal["quartal", "month"], Query()] = "quartal",
    topic: Annotated[str, Query(pattern=r"^(\*|[a-z][a-z0-9_]{0,63})$")] = "*",
    lang: Annotated[Literal["de", "en"] | None, Query()] = None,
) -> HTMLResponse:
    lang = lang or language(request)
    t = TEXTS[lang]
    state = request.app.state
    year = year or state.runtime.clock.now().year
    cubes: handlers.ProtectedCubes = state.protected_cubes
    with state.runtime.sessions() as session:
        table = handlers.get_table(
            cubes,
            session,
            metric=metric,
            year=year,
            time=domain.TimeLevel(time),
            place=domain.PlaceLevel.QUARTER,
            by_topic=True,
        )
        whole_year = handlers.get_table(
            cubes,
            session,
            metric=metric,
            year=year,
            time=domain.TimeLevel.YEAR,
            place=domain.PlaceLevel.QUARTER,
            by_topic=True,
        )
        series = handlers.get_table(
            cubes,
            session,
            metric=metric,
            year=year,
            time=domain.TimeLevel(time),
            place=domain.PlaceLevel.CITY,
            by_topic=True,
        )
        latest, events = breakdowns_store.freshness(session, [COUNTS[metric].event_type])
        finer: breakdowns.ProtectedBreakdowns = state.protected_breakdowns
        names = breakdowns.offer_names(session)
        # the channels' panel shows the city only: a city of hundreds of areas has thousands of rows
        city_only = {"concerns": domain.CITY, "signals": domain.CITY}

        def figure(name: str, year: int) -> FigureOut:
            found = breakdowns.get_figure(finer, session, name=name, year=year, place=city_only.get(name))
            return breakdowns_api.figure_out(found, lang, cubes.city, names)

        figures = {name: figure(name, year) for name in FIGURES}
        figures["occupancy"] = occupancy.figure(session, year, lang)
        # the previous year's, for the trend columns of the channels, the drop-in centres and their rooms
        before = {name: figure(name, year - 1) for name in ("concerns", "signals", "drop_in")}
        before["occupancy"] = occupancy.figure(session, year - 1, lang)
    topics = sorted({c.topic for c in table.cells} - {"*"})
    topic = topic if topic in topics else "*"
    city = cubes.city
    label = COUNTS[metric].label(lang)
    names = {q.id: q.name for q in city.quarters} | {"": "ohne Quartier" if lang == "de" else "no quarter"}
    cells = [c for c in table.cells if c.topic == topic]
    periods = list(dict.fromkeys(c.time for c in cells))
    places = list(dict.fromkeys(c.place for c in cells))
    value = {(c.time, c.place): c.value for c in cells}
    per_quarter = {c.place: c.value for c in whole_year.cells if c.topic == topic}
    areas = charts.areas(city.quarters, per_quarter)
    breaks = charts.class_breaks([v for v in per_quarter.values() if v is not None])
    query = {"metric": metric, "year": year, "time": time, "topic": topic}
    html = TEMPLATES.get_template("dashboard.html").render(
        lang=lang,
        other_lang="en" if lang == "de" else "de",
        other_language_url="dashboard?" + urlencode({**query, "lang": "en" if lang == "de" else "de"}),
        t=t,
        city_name=city.name,
        metrics=[(key, COUNTS[key].label(lang)) for key in PUBLIC_METRICS if key in COUNTS],
        metric=metric,
        years=sorted({year, year - 1, year - 2}, reverse=True),
        year=year,
        time=time,
        topics=topics,
        topic=topic,
        note=protection_note(lang, table.minimum, table.method),
        series_title=t["series"].format(label=label, year=year),
        bars=charts.bars([(c.time, c.value) for c in series.cells if c.topic == topic]),
        map_title=t["map"].format(label=label, year=year),
        areas=areas,
        legend=list(zip(charts.CLASSES, breaks, strict=True)),
        unmapped=", ".join(names.get(p, p) for p in per_quarter if p not in {a.quarter_id for a in areas}),
        by_quarter=[(names.get(p, p), v) for p, v in per_quarter.items()],
        table_title=t["table"].format(label=label, year=year),
        fresh=panels.fresh_line(latest, events, t),
        periods=periods,
        grid=[(names.get(p, p), [value[(period, p)] for period in periods]) for p in places],
        more_title=t["more"].format(year=year),
        panels=panels.build(
            figures,
            t,
            lambda name: f"figures/{name}?" + urlencode({"year": year, "format": "csv", "lang": lang}),
            before,
        ),
        csv_url="tables/"
        + metric
        + "?"
        + urlencode({"year": year, "time": time, "place": "quarter", "topics": "true", "format": "csv"}),
    )
    return HTMLResponse(html, headers={"Content-Language": lang})
