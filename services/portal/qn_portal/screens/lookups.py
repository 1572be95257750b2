"""Intake's code lists (topics, channels, urgencies, quarters), asked for once per page with the
person's token; they hold no personal data."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from ..session import SignedIn


async def vocabulary(request: Request, user: SignedIn, lang: str) -> dict[str, Any]:
    intake = request.app.state.intake
    topics = await intake.call(user, lang, "GET", "/topics")
    words = await intake.call(user, lang, "GET", "/vocabulary")
    return {"topics": topics, **words}


async def quarter_names(request: Request, user: SignedIn, lang: str) -> dict[str, str]:
    quarters = await request.app.state.intake.call(user, lang, "GET", "/quarters")
    items = quarters.get("quarters", quarters) if isinstance(quarters, dict) else quarters
    return {str(q.get("id")): str(q.get("name", q.get("id"))) for q in items or [] if isinstance(q, dict)}
