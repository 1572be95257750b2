"""Carriers: their counselling hours -- their organisation's offers and bookings at every
drop-in centre in one week. Scheduling decides what a carrier sees (another organisation's
bookings are left out for them); the portal keeps the carrier's own offers' occurrences.
Asking for a room is the next screen (`scheduling_room_requests`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..access import POLICY
from ..messages import language
from ..pages import render
from ..session import SignedIn
from .scheduling_calendar import Entry, entries_of, monday_of, week_days, week_of
from .scheduling_week import today

router = APIRouter()


async def _site_entries(
    request: Request, user: SignedIn, lang: str, site: dict[str, Any], period: dict[str, str]
) -> list[tuple[dict[str, Any], Entry]]:
    scheduling = request.app.state.scheduling
    site_id = site["site_id"]
    offers, bookings = await asyncio.gather(
        scheduling.call(user, lang, "GET", f"/sites/{site_id}/offers"),
        scheduling.call(
            user, lang, "GET", f"/sites/{site_id}/bookings", params={**period, "include_cancelled": "true"}
        ),
    )
    own = [o for o in offers if o.get("org_id") == user.org]
    occurrences = await asyncio.gather(
        *(scheduling.call(user, lang, "GET", f"/offers/{o['id']}/occurrences", params=period) for o in own)
    )
    # scheduling lists only the carrier's own bookings to a carrier; the filter keeps a staff reader's view the same
    mine = [b for b in bookings if b.get("org_id") == user.org]
    rooms = {r["room_id"]: r["name"] for r in site.get("rooms", [])}
    return [
        (site | {"room_name": rooms.get(e.room_id, e.room_id)}, e) for e in entries_of(own, list(occurrences), mine)
    ]


@router.get("/beratungszeiten", response_class=HTMLResponse)
async def counselling_hours(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /beratungszeiten")],
    woche: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    lang = language(request)
    monday = monday_of(woche, today(request))
    days = week_days(monday)
    period = {"from": days[0].isoformat(), "to": days[-1].isoformat()}
    sites = await request.app.state.scheduling.call(user, lang, "GET", "/sites")
    per_site = await asyncio.gather(*(_site_entries(request, user, lang, s, period) for s in sites))
    rows = sorted((pair for found in per_site for pair in found), key=lambda pair: pair[1].starts_at)
    return render(
        request,
        "scheduling/hours.html",
        rows=rows,
        week=week_of(monday),
        previous=week_of(monday - timedelta(days=7)),
        following=week_of(monday + timedelta(days=7)),
    )
