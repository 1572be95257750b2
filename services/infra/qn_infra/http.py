"""The HTTP edge every service shares: problem responses (RFC 9457) that name the field at fault,
in German or English after `Accept-Language`; the correlation id; access log and metrics."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import Forbidden, Problem, Unauthenticated, Unavailable
from .logs import bind_correlation, get_logger
from .metrics import HTTP_LATENCY, HTTP_REQUESTS
from .validation_messages import german

log = get_logger("qn_infra.http")

CORRELATION_HEADER = "x-correlation-id"
PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: ("Ungültige Anfrage", "Bad request"),
    401: ("Nicht angemeldet", "Not authenticated"),
    403: ("Keine Berechtigung", "Forbidden"),
    404: ("Nicht gefunden", "Not found"),
    405: ("Methode nicht erlaubt", "Method not allowed"),
    409: ("Konflikt", "Conflict"),
    413: ("Anfrage zu groß", "Request too large"),
    415: ("Nicht unterstütztes Format", "Unsupported media type"),
    422: ("Ungültige Eingabe", "Invalid input"),
    429: ("Zu viele Anfragen", "Too many requests"),
    503: ("Vorübergehend nicht verfügbar", "Temporarily unavailable"),
    500: ("Interner Fehler", "Internal error"),
}


def language(request: Request) -> str:
    """'de' or 'en', whichever `Accept-Language` prefers; German when it says nothing."""
    best, best_q = "de", -1.0
    for part in request.headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower()[:2]
        if primary in ("de", "en") and q > best_q:
            best, best_q = primary, q
    return best


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str,
    errors: list[dict[str, str]] | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    lang = language(request)
    de, en = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    body: dict[str, Any] = {
        "type": f"urn:quartiersnetz:problem:{code}",
        "title": de if lang == "de" else en,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    if extra:
        # what a problem adds may not change what RFC 9457 defines (a `status` of a record once
        # replaced the HTTP status in the body)
        body.update({k: v for k, v in extra.items() if k not in body and k != "correlation_id"})
    body["correlation_id"] = request.scope.get("qn.correlation_id")
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_response(request: Request, exc: Problem, status: int) -> JSONResponse:
    """The problem body of an expected error (`Problem`), in the caller's language."""
    lang = language(request)
    errors = [{"field": exc.field, "message": exc.message(lang)}] if exc.field else None
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if status == 401 else None
    if isinstance(exc, Unavailable):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return problem(request, status, exc.message(lang), code=exc.code, errors=errors, extra=exc.extra, headers=headers)


def _field(error: Mapping[str, Any]) -> str:
    """The name a user recognises: `address.street`, `from`, `header.idempotency-key`; a body that
    is not JSON at all is `body` (pydantic reports a character position there)."""
    loc = [str(p) for p in error.get("loc", ())]
    if error.get("type") == "json_invalid":
        return "body"
    if loc and loc[0] in ("body", "query", "path"):
        loc = loc[1:]
    return ".".join(loc) or "body"


def unreadable_body(request: Request, cause: BaseException) -> JSONResponse:
    """422 for a JSON body that cannot be read at all: nested deeper than the parser goes, not
    UTF-8. FastAPI reports these as a 400 with an English text; JSON syntax errors are 422 already."""
    if isinstance(cause, RecursionError):
        de, en = "JSON zu tief verschachtelt.", "JSON nested too deeply."
    else:
        de, en = "Kein lesbares JSON (UTF-8 erwartet).", "Not readable JSON (UTF-8 expected)."
    text = de if language(request) == "de" else en
    return problem(request, 422, text, code="body_unreadable", errors=[{"field": "body", "message": text}])


def install_error_handlers(app: FastAPI, statuses: Mapping[type[Problem], int]) -> None:
    """Maps `Problem` subclasses to statuses (most specific class wins) and every other error to a
    problem body; validation errors become 422 with one entry per field."""
    table: dict[type[Problem], int] = {Unauthenticated: 401, Forbidden: 403, Unavailable: 503, **statuses}

    def status_for(exc: Problem) -> int:
        for cls in type(exc).__mro__:
            if cls in table:
                return table[cls]  # type: ignore[index]
        return 400

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(request, exc, status_for(exc))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        lang = language(request)
        errors = []
        for error in exc.errors():
            text = (german(error) if lang == "de" else None) or str(error.get("msg", "invalid"))
            errors.append({"field": _field(error), "message": text})
        fields = ", ".join(dict.fromkeys(e["field"] for e in errors))
        detail = f"Bitte prüfen: {fields}" if lang == "de" else f"Please check: {fields}"
        return problem(request, 422, detail, code="validation_failed", errors=errors)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        lang = language(request)
        if exc.status_code == 400 and exc.__cause__ is not None:
            return unreadable_body(request, exc.__cause__)
        de, en = TITLES.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        detail = str(exc.detail) if exc.detail and exc.detail not in (de, en) else (de if lang == "de" else en)
        return problem(request, exc.status_code, detail, code=f"http_{exc.status_code}", headers=exc.headers)

    async def on_database_down(request: Request, exc: Exception) -> JSONResponse:
        log.error("database_unavailable", error=type(exc).__name__)
        lang = language(request)
        detail = (
            "Datenbank nicht erreichbar; bitte gleich noch einmal."
            if lang == "de"
            else "Database unavailable; please retry shortly."
        )
        return problem(request, 503, detail, code="database_unavailable", headers={"Retry-After": "5"})

    async def on_value_the_database_refuses(request: Request, exc: Exception) -> JSONResponse:
        # a last line of defence: schemas bound every field, but a value the database cannot hold
        # (out of range, a character it cannot store) is the client's input, not a server fault
        log.warning("value_refused_by_database", error_type=type(exc).__name__)
        lang = language(request)
        detail = (
            "Ein Wert liegt außerhalb dessen, was gespeichert werden kann."
            if lang == "de"
            else "A value is outside what can be stored."
        )
        return problem(request, 422, detail, code="invalid_value")

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DataError, on_value_the_database_refuses)
    app.add_exception_handler(OverflowError, on_value_the_database_refuses)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(OperationalError, on_database_down)
    app.add_exception_handler(PoolTimeout, on_database_down)


class EdgeMiddleware:
    """Pure ASGI middleware: correlation id in and out, one access log line with the route
    template (never the raw path or query, which may hold personal data), and HTTP metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = client_correlation_id(scope) or str(uuid.uuid4())
        scope["qn.correlation_id"] = correlation_id
        bind_correlation(correlation_id, correlation_id)
        started = time.perf_counter()
        status = 500
        started_response = False
        id_header = (CORRELATION_HEADER.encode(), correlation_id.encode())

        async def send_tracked(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            # the one place an unexpected error is logged and turned into a problem body
            log.exception("unhandled_error", error_type=type(exc).__name__)
            if started_response:
                raise
            request = Request(scope)
            lang = language(request)
            detail = "Ein unerwarteter Fehler ist aufgetreten." if lang == "de" else "An unexpected error occurred."
            await problem(request, 500, detail, code="internal_error")(scope, receive, send_tracked)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            if template not in ("/healthz", "/readyz", "/metrics"):
                log.info(
                    "http_request", method=method, route=template, status=status, duration_ms=round(elapsed * 1000, 1)
                )
            HTTP_REQUESTS.labels(method=method, route=template, status=str(status)).inc()
            HTTP_LATENCY.labels(method=method, route=template).observe(elapsed)


# A client's correlation id travels into logs and into the headers of every event the request
# causes, and streams keep events for years: only a UUID is accepted, since any other text could
# carry a name or a phone number (one did).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def client_correlation_id(scope: Scope) -> str | None:
    """The client's `X-Correlation-ID` in lower-case canonical form if it is a UUID, else None."""
    for key, value in scope.get("headers", []):
        if key == CORRELATION_HEADER.encode():
            text = value.decode("latin-1").strip()
            return text.lower() if _UUID.fullmatch(text) else None
    return None
