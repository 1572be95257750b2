"""Public routes: the weekly programme (HTML) and iCalendar feeds. No token: residents read them
and calendar programs subscribe to them. They show offers only, never single room bookings, and
never a note."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from qn_contracts.vocabulary import Code, OrgId, QuarterId
from qn_infra.errors import Invalid
from qn_infra.http import language

from ..offers import domain as offers_domain
from ..sites import domain as sites_domain
from ..sites import handlers as sites_handlers
from ..sites.api import SiteIdPath, context
from ..sites.schemas import ID_PATTERN
from . import feeds, hsds, page, queries
from .messages import MESSAGES

router = APIRouter(tags=["programme"])

WEEK_PATTERN = r"^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
Week = Annotated[
    str | None,
    Query(pattern=WEEK_PATTERN, description="ISO week (2027-W12); default: this week.", examples=["2027-W12"]),
]
Lang = Annotated[str | None, Query(pattern="^(de|en)$", description="de or en; default: Accept-Language, else de.")]
QuarterFilter = Annotated[QuarterId | None, Query(alias="quarter", description="Only sites of this quarter.")]
GroupFilter = Annotated[Code | None, Query(alias="target_group", description="Only offers for this target group.")]
TopicFilter = Annotated[Code | None, Query(alias="topic", description="Only offers with this topic.")]
ICS = "text/calendar; charset=utf-8"


class InvalidFilter(Invalid):
    code = "invalid_filter"


def _monday(request: Request, week: str | None) -> date:
    ctx, runtime = context(request), request.app.state.runtime
    try:
        return page.monday_of(week, runtime.clock.now(), ctx.tz)
    except ValueError:
        raise InvalidFilter(f"Die Woche {week} gibt es nicht.", f"Week {week} does not exist.", field="week") from None


def _filters(request: Request, quarter: str | None, target_group: str | None, topic: str | None) -> queries.Filters:
    city = context(request).city
    if quarter and quarter not in city.quarters:
        raise InvalidFilter(f"Quartier '{quarter}' gibt es nicht.", f"Unknown quarter '{quarter}'.", field="quarter")
    if topic and topic not in city.topics:
        raise InvalidFilter(f"Thema '{topic}' gibt es nicht.", f"Unknown topic '{topic}'.", field="topic")
    return queries.Filters(quarter_id=quarter or None, target_group=target_group or None, topic=topic or None)


def _page(request: Request, req: page.PageRequest) -> HTMLResponse:
    ctx, runtime = context(request), request.app.state.runtime
    entries, sites = queries.week_programme(runtime.unit_of_work(), monday=req.monday, filters=req.filters, tz=ctx.tz)
    if req.filters.site_id and not any(s.id == req.filters.site_id for s in sites):
        raise sites_domain.site_not_found(req.filters.site_id)
    html = page.render(req, entries, sites, ctx.city, now=runtime.clock.now())
    return HTMLResponse(html, headers={"Content-Language": req.lang, "Cache-Control": "public, max-age=300"})


@router.get(
    "/programme", response_class=HTMLResponse, summary="The weekly programme of every site (HTML, public, printable)"
)
def city_programme(
    request: Request,
    week: Week = None,
    lang: Lang = None,
    quarter: QuarterFilter = None,
    target_group: GroupFilter = None,
    topic: TopicFilter = None,
) -> HTMLResponse:
    chosen = lang or language(request)
    req = page.PageRequest(
        path="/programme",
        monday=_monday(request, week),
        filters=_filters(request, quarter, target_group, topic),
        lang=chosen,
        heading=f"{MESSAGES[chosen]['city_programme']} – {context(request).city.name}",
        feed_url=None,
        show_quarter=True,
    )
    return _page(request, req)


@router.get(
    "/sites/{site_id}/programme",
    response_class=HTMLResponse,
    summary="A site's weekly programme (HTML, public, printable on one A4 page)",
)
def site_programme(
    site_id: SiteIdPath,
    request: Request,
    week: Week = None,
    lang: Lang = None,
    target_group: GroupFilter = None,
    topic: TopicFilter = None,
) -> HTMLResponse:
    chosen = lang or language(request)
    filters = _filters(request, None, target_group, topic)
    req = page.PageRequest(
        path=f"/sites/{site_id}/programme",
        monday=_monday(request, week),
        filters=queries.Filters(site_id=site_id, target_group=filters.target_group, topic=filters.topic),
        lang=chosen,
        heading=MESSAGES[chosen]["programme"],
        feed_url=f"/feeds/sites/{site_id}.ics",
        show_quarter=False,
    )
    response = _page(request, req)
    return response


def _feed(request: Request, name: str, series: list[queries.FeedSeries]) -> Response:
    ctx, runtime = context(request), request.app.state.runtime
    body = feeds.calendar(name, series, ctx.tz, stamp=runtime.clock.now())
    return Response(body, media_type=ICS, headers={"Cache-Control": "public, max-age=900"})


CALENDAR = {200: {"content": {"text/calendar": {}}, "description": "An iCalendar (RFC 5545) document."}}


@router.get("/feeds/sites/{site_id}.ics", response_class=Response, responses=CALENDAR, summary="A site's offers (iCal)")
def site_feed(site_id: SiteIdPath, request: Request) -> Response:
    series = queries.feed_series(request.app.state.runtime.unit_of_work(), site_id=site_id)
    # the name a calendar program shows its reader: the site's, not its id
    return _feed(request, f"Programm {series[0].site.name if series else site_id}", series)


@router.get(
    "/feeds/sites/{site_id}/rooms/{room_id}.ics",
    response_class=Response,
    responses=CALENDAR,
    summary="The offers in one room (iCal)",
)
def room_feed(
    site_id: SiteIdPath,
    room_id: Annotated[str, Path(pattern=ID_PATTERN, description="Id of the room.")],
    request: Request,
) -> Response:
    series = queries.feed_series(request.app.state.runtime.unit_of_work(), site_id=site_id, room_id=room_id)
    name = f"{series[0].site.name} – {series[0].room_name or room_id}" if series else f"{site_id} – {room_id}"
    return _feed(request, name, series)


@router.get("/feeds/offers/{offer_id}.ics", response_class=Response, responses=CALENDAR, summary="One offer (iCal)")
def offer_feed(offer_id: uuid.UUID, request: Request) -> Response:
    series = queries.feed_series(request.app.state.runtime.unit_of_work(), offer_id=offer_id)
    if not series:
        raise offers_domain.offer_not_found(offer_id)
    return _feed(request, series[0].offer.title, series)


@router.get(
    "/feeds/carriers/{org_id}.ics",
    response_class=Response,
    responses=CALENDAR,
    summary="Every offer of one carrier or office, at every site (iCal)",
)
def carrier_feed(
    org_id: Annotated[OrgId, Path(description="Id of the carrier or office.")], request: Request
) -> Response:
    series = queries.feed_series(request.app.state.runtime.unit_of_work(), org_id=org_id)
    names = dict(context(request).city.organisation_names)
    return _feed(request, names.get(org_id, org_id), series)


@router.get("/hsds/services", summary="Every offer as an Open Referral HSDS 3.0 service, with schedule and location")
def hsds_services(request: Request) -> dict[str, object]:
    ctx = context(request)
    series = queries.feed_series(request.app.state.runtime.unit_of_work())
    return hsds.page([hsds.service(s.offer, s.site, ctx.city) for s in series])


@router.get("/hsds/organizations", summary="The carriers and offices with offers, as HSDS 3.0 organizations")
def hsds_organizations(request: Request) -> dict[str, object]:
    ctx = context(request)
    series = queries.feed_series(request.app.state.runtime.unit_of_work())
    orgs = sorted({s.offer.org_id for s in series if s.offer.org_id})
    return hsds.page([hsds.organization(org, ctx.city) for org in orgs])


@router.get("/hsds/locations", summary="The sites as HSDS 3.0 locations with their addresses")
def hsds_locations(request: Request) -> dict[str, object]:
    ctx = context(request)
    sites = sites_handlers.list_sites(uow=request.app.state.runtime.unit_of_work())
    return hsds.page([hsds.location(site, ctx.city) for site in sites])
