"""The morning work queue: intake's `GET /queue` for the person's team, overdue and escalated
items first (intake orders it), with filters and paging."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..access import POLICY
from ..messages import language
from ..pages import render
from ..session import SignedIn
from .lookups import quarter_names, vocabulary

router = APIRouter()
PAGE_SIZE = 20
KINDS = ("concern", "referral", "follow_up", "help_request")


@router.get("/warteschlange", response_class=HTMLResponse)
async def work_queue(
    request: Request,
    user: Annotated[SignedIn, POLICY.guard("GET /warteschlange")],
    art: Annotated[str, Query(max_length=20)] = "",
    thema: Annotated[str, Query(max_length=64)] = "",
    ueberfaellig: bool = False,
    seite: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> HTMLResponse:
    lang = language(request)
    kind = art if art in KINDS else ""
    found = await request.app.state.intake.call(
        user,
        lang,
        "GET",
        "/queue",
        params={
            "kind": kind,
            "topic": thema,
            "overdue": "true" if ueberfaellig else None,
            "page": seite,
            "page_size": PAGE_SIZE,
        },
    )
    total = int(found.get("total", 0))
    return render(
        request,
        "queue.html",
        items=found.get("items", []),
        total=total,
        page=seite,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        kinds=KINDS,
        kind=kind,
        topic=thema,
        overdue=ueberfaellig,
        words=await vocabulary(request, user, lang),
        quarters=await quarter_names(request, user, lang),
    )
