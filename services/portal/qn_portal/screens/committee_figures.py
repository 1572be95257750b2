"""Committee members: the finer figures reporting serves to the committee role -- its list of
figures (`GET /metrics-catalogue`, with the member's token) and the protected table of one figure
and year (`GET /tables/{metric}`), laid out with periods as columns, "." where a value is kept
secret, and the legend. The raw `/counts` and `/sums` are not shown: they are not protected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..access import POLICY
from ..intake_client import ApiProblem
from ..messages import language, text
from ..pages import BERLIN, FieldError, render
from ..session import SignedIn

router = APIRouter()
TIME_LEVELS = ("month", "quartal", "year")
PLACE_LEVELS = ("quarter", "district", "city")
HIDDEN = "."
PUBLIC_FIGURES = (
    "concerns", "referrals", "unmet_need", "early_warning", "signals", "follow_ups", "neighbourly_help", "attendance",
    "drop_in", "occupancy",
)  # fmt: skip
"""Reporting's `GET /figures/{figure}`: public, since every value in them is protected."""


@dataclass
class Line:
    place_label: str
    topic: str
    cells: list[str] = field(default_factory=list)


def pivot(rows: list[dict[str, Any]], lang: str) -> tuple[list[str], list[Line]]:
    """Reporting's rows (period, place, topic, value or flag) as a grid: a line per place and
    topic in the order reporting gives them, a column per period; "." stays "."."""
    periods: list[str] = []
    lines: dict[tuple[str, str], Line] = {}
    values: dict[tuple[str, str, str], str] = {}
    for row in rows:
        period, place, topic = str(row["period"]), str(row["place"]), str(row["topic"])
        if period not in periods:
            periods.append(period)
        lines.setdefault((place, topic), Line(str(row.get("place_label") or place), topic))
        value = row.get("value")
        values[(place, topic, period)] = HIDDEN if value is None else _number(int(value), lang)
    for (place, topic), line in lines.items():
        line.cells = [values.get((place, topic, p), "") for p in periods]
    return periods, list(lines.values())


def _number(value: int, lang: str) -> str:
    shown = f"{value:,}"
    return shown.replace(",", ".") if lang == "de" else shown


@router.get("/kennzahlen", response_class=HTMLResponse)
async def figures(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /kennzahlen")],
    kennzahl: Annotated[str, Query(max_length=80)] = "",
    jahr: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    zeit: Annotated[str, Query(max_length=10)] = "quartal",
    ort: Annotated[str, Query(max_length=10)] = "quarter",
    themen: bool = False,
) -> HTMLResponse:
    lang = language(request)
    reporting = request.app.state.reporting
    catalogue = await reporting.call(user, lang, "GET", "/metrics-catalogue")
    counts = [m for m in catalogue.get("metrics", []) if m.get("kind") == "count"]
    year = jahr or request.app.state.clock.now().astimezone(BERLIN).year
    chosen = {"metric": kennzahl, "year": year, "time": zeit if zeit in TIME_LEVELS else "quartal",
              "place": ort if ort in PLACE_LEVELS else "quarter", "topics": themen}  # fmt: skip
    table, errors, status = None, [], 200
    if kennzahl:
        if kennzahl not in {m["metric"] for m in counts}:
            errors, status = [FieldError("kennzahl", text(lang, "error_metric"))], 422
        else:
            params = {"year": year, "time": chosen["time"], "place": chosen["place"], "topics": str(themen).lower()}
            try:
                table = await reporting.call(user, lang, "GET", f"/tables/{kennzahl}", params=params)
            except ApiProblem as problem:
                if problem.status != 422:
                    raise
                errors, status = (
                    [FieldError("kennzahl", problem.errors[0][1] if problem.errors else problem.detail)],
                    422,
                )
    periods, lines = pivot(table["rows"], lang) if table else ([], [])
    settings = request.app.state.settings
    public = (settings.reporting_public_url or settings.reporting_url).rstrip("/")
    return render(
        request,
        "committee/figures.html",
        status=status,
        errors=errors,
        metrics=counts,
        chosen=chosen,
        table=table,
        periods=periods,
        lines=lines,
        public_figures=public_figures(public, year, lang),
        dashboard=f"{public}/dashboard?{urlencode({'year': year, 'lang': lang})}",
    )


def public_figures(base: str, year: int, lang: str) -> list[tuple[str, str]]:
    """Reporting's public figures of `year` (protected like the tables; no login): (name key, CSV link)."""
    return [
        (f"public_figure_{name}", f"{base}/figures/{name}?{urlencode({'year': year, 'format': 'csv', 'lang': lang})}")
        for name in PUBLIC_FIGURES
    ]
