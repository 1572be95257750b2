"""Rendering a page: the template with the person, their language, the message catalogue and the
session's CSRF token; and the GOV.UK error summary's data from intake's problem+json."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from .messages import language, pick, text
from .session import CSRF_FIELD, csrf_token, signed_in

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class FieldError:
    field: str
    """The form field's id, so the summary can link to it."""
    message: str


def local_time(value: str | None, lang: str) -> str:
    if not value:
        return ""
    at = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(BERLIN)
    return at.strftime("%d.%m.%Y, %H:%M") if lang == "de" else at.strftime("%Y-%m-%d %H:%M")


def render(
    request: Request, template: str, *, status: int = 200, errors: list[FieldError] | None = None, **context: Any
) -> HTMLResponse:
    lang = language(request)
    user = signed_in(request, request.app.state.clock.now().timestamp())
    values = {
        "lang": lang,
        "t": lambda key, **kw: text(lang, key, **kw),
        "pick": lambda pair, fallback="": pick(lang, pair, fallback),
        "when": lambda value: local_time(value, lang),
        "user": user,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "errors": errors or [],
        "error_for": {e.field: e.message for e in errors or []},
        "path": request.url.path,
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status)
