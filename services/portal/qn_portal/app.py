"""The composition root: settings, clock, the HTTP client for intake, the session cookie, the
sign-in and the screens. Nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from qn_infra.client_address import trusted_networks
from qn_infra.clock import Clock, SystemClock
from qn_infra.logs import get_logger

from .access import POLICY, BadCsrf, NotAllowed, NotSignedIn
from .config import PortalSettings
from .form_limit import PerAddressLimit
from .intake_client import ApiProblem, IntakeClient, ServiceUnavailable
from .matching_client import MatchingClient
from .pages import render
from .screens import (
    committee_figures,
    concerns,
    data_protection,
    matching_apply,
    matching_assign,
    matching_hours,
    matching_tasks,
    matching_volunteers,
    persons,
    queue,
    referrals,
    scheduling_closures,
    scheduling_hours,
    scheduling_room_requests,
    scheduling_series,
    scheduling_week,
    signals,
)
from .session import sign_out
from .signin import routes as signin
from .signin.oidc import make_oauth

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "qn_portal"
log = get_logger("qn_portal")


def create_app(settings: PortalSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or PortalSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = settings.api_timeout_seconds
        async with (
            httpx.AsyncClient(base_url=settings.intake_url, timeout=timeout) as http,
            httpx.AsyncClient(base_url=settings.matching_url, timeout=timeout) as matching_http,
            httpx.AsyncClient(base_url=settings.scheduling_url, timeout=timeout) as scheduling_http,
            httpx.AsyncClient(base_url=settings.reporting_url, timeout=timeout) as reporting_http,
        ):
            app.state.intake = IntakeClient(http)
            app.state.matching = MatchingClient(matching_http)
            # the same token-forwarding client serves every API: each answers problem+json alike
            app.state.scheduling = IntakeClient(scheduling_http)
            app.state.reporting = IntakeClient(reporting_http)
            yield

    app = FastAPI(title="Quartiersnetz portal", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.oauth = make_oauth(settings)
    app.state.code_lists = {}  # intake's code lists, kept a few minutes (screens/lookups.py)
    app.state.form_limit = PerAddressLimit(settings.public_form_rate_limit, app.state.clock)
    app.state.trusted_proxies = trusted_networks(settings.trusted_proxies)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.signing_secret(),
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.session_hours * 3600),
        same_site="lax",  # lax, not strict: the identity provider's redirect back must carry the cookie
        https_only=settings.secure_cookie,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, queue, concerns, persons, referrals, signals, data_protection):
        app.include_router(module.router)
    for module in (
        matching_volunteers,
        matching_tasks,
        matching_assign,
        matching_hours,
        matching_apply,
        scheduling_week,
        scheduling_series,
        scheduling_closures,
        scheduling_hours,
        scheduling_room_requests,
        committee_figures,
    ):
        app.include_router(module.router)
    _errors(app)
    POLICY.verify(app)
    return app


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/start"
        return RedirectResponse(f"/anmelden?weiter={quote(target)}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, exc: NotAllowed) -> Response:
        return render(request, "message.html", status=403, title_key="forbidden_title", text_key="forbidden_text")

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        log.info("form_refused", reason="csrf")
        return render(request, "message.html", status=403, title_key="csrf_title", text_key="csrf_text")

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        log.warning("service_unavailable", reason=str(exc))
        return render(request, "message.html", status=503, title_key="unavailable_title", text_key="unavailable_text")

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem) -> Response:
        if exc.status == 401:
            sign_out(request)
            return RedirectResponse("/anmelden?weiter=" + quote(request.url.path), status_code=303)
        if exc.status == 404:
            return render(request, "message.html", status=404, title_key="not_found_title", text_key="not_found_text")
        title = "forbidden_title" if exc.status == 403 else "error_summary_title"
        return render(request, "message.html", status=exc.status, title_key=title, detail=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        # a malformed id in an address is a page that does not exist
        return render(request, "message.html", status=404, title_key="not_found_title", text_key="not_found_text")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return render(request, "message.html", status=404, title_key="not_found_title", text_key="not_found_text")
        return render(request, "message.html", status=exc.status_code, title_key="error_summary_title")
