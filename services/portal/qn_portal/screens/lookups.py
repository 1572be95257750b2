"""Intake's code lists (topics, channels, urgencies, quarters): the same for every caller and free
of personal data, so they are kept for a few minutes per language instead of being asked for on
every page (a page would otherwise cost four calls to intake instead of one)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..session import SignedIn

KEEP_SECONDS = 300.0


async def _code_list(request: Request, user: SignedIn, lang: str, path: str) -> Any:
    cache: dict[tuple[str, str], tuple[float, Any]] = request.app.state.code_lists
    now = request.app.state.clock.now().timestamp()
    kept = cache.get((path, lang))
    if kept is not None and kept[0] > now:
        return kept[1]
    answer = await request.app.state.intake.call(user, lang, "GET", path)
    cache[(path, lang)] = (now + KEEP_SECONDS, answer)
    return answer


async def vocabulary(request: Request, user: SignedIn, lang: str) -> dict[str, Any]:
    topics = await _code_list(request, user, lang, "/topics")
    words = await _code_list(request, user, lang, "/vocabulary")
    return {"topics": topics, **words}


async def quarter_names(request: Request, user: SignedIn, lang: str) -> dict[str, str]:
    quarters = await _code_list(request, user, lang, "/quarters")
    items = quarters.get("quarters", quarters) if isinstance(quarters, dict) else quarters
    return {str(q.get("id")): str(q.get("name", q.get("id"))) for q in items or [] if isinstance(q, dict)}
