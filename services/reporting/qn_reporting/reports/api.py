"""HTTP route of the printed period report: public (see `..access`), since it is cut from the
published tables only and shows nothing they would not."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Query, Request, Response

from qn_infra.errors import NotFound
from qn_infra.http import language

from ..tables.api import PLACE_LABELS
from . import content, handlers, pdf
from .period import PATTERN, Period

router = APIRouter(tags=["reports"])
BERLIN = ZoneInfo("Europe/Berlin")


class ReportNotYet(NotFound):
    code = "period_not_begun"


@router.get(
    "/reports/{period}.pdf",
    summary="The printed period report for a committee (PDF), no login",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)
def get_report(
    request: Request,
    period: Annotated[
        str, Path(pattern=PATTERN, description="A Quartal (`2026-Q3`) or a year (`2026`).", examples=["2026-Q3"])
    ],
    lang: Annotated[str | None, Query(pattern="^(de|en)$", description="de or en; else Accept-Language.")] = None,
) -> Response:
    lang = lang or language(request)
    state = request.app.state
    wanted = Period.parse(period)
    today = state.runtime.clock.now().astimezone(BERLIN).date()  # where committees sit
    if not wanted.has_begun(today):
        raise ReportNotYet(
            f"Der Zeitraum {period} hat noch nicht begonnen.", f"The period {period} has not begun yet.", field="period"
        )
    with state.runtime.sessions() as session:
        report = content.build(
            state.protected_cubes,
            session,
            wanted,
            lang=lang,
            place_labels=PLACE_LABELS[lang],
            breakdowns=state.protected_breakdowns,
        )
    report_id = handlers.announce(state.runtime.unit_of_work(), report, audience=state.runtime.settings.report_audience)
    city = state.protected_cubes.city
    labels = {code: city.topic_label(code, lang) for code, _, _ in city.topic_labels}
    body = pdf.render(report, lang=lang, labels=labels, today=today)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="quartiersnetz-{period}-{lang}.pdf"',
            "Content-Language": lang,
            "X-Report-Id": report_id,
        },
    )
