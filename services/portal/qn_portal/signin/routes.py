"""Sign-in, sign-out, language and the start page."""

from __future__ import annotations

from typing import Annotated

from authlib.integrations.base_client.errors import OAuthError
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from qn_infra.devkeys import issue_token
from qn_infra.logs import get_logger
from qn_infra.metrics import metrics_endpoint

from ..access import POLICY
from ..config import PortalSettings
from ..messages import LANGUAGES
from ..pages import render
from ..session import SignedIn, sign_in, sign_out
from .demo_users import demo_users
from .logout import end_session_url, id_token_hint, remember_id_token
from .oidc import PROVIDER, person_from_tokens

router = APIRouter()
log = get_logger("qn_portal.signin")

LOCAL_TOKEN_HOURS = 12
HOME = {
    "team_staff": "/warteschlange",
    "coordinator": "/warteschlange",
    "admin": "/warteschlange",
    "carrier": "/vermittlungen",
    "kuemmerer": "/signale",
    "volunteer": "/meine-einsaetze",
    "committee": "/kennzahlen",
}


def settings_of(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.settings
    return settings


def safe_next(target: str | None) -> str:
    """Only a path of this site (an open redirect would let a link send people elsewhere)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/start"


@router.get("/healthz", dependencies=[POLICY.guard("GET /healthz")])
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "alive"})


@router.get("/readyz", dependencies=[POLICY.guard("GET /readyz")])
async def readyz(request: Request) -> JSONResponse:
    """Ready while intake answers: the portal keeps no data, every screen calls intake."""
    ready = await request.app.state.intake.alive()
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": {"intake": ready}}, status_code=200 if ready else 503
    )


@router.get("/metrics", dependencies=[POLICY.guard("GET /metrics")])
async def metrics(request: Request) -> Response:
    return await metrics_endpoint(request)


@router.get("/", dependencies=[POLICY.guard("GET /")])
async def root(request: Request) -> Response:
    return RedirectResponse("/start" if request.session.get("user") else "/anmelden", status_code=303)


@router.get("/start")
async def start(user: Annotated[SignedIn, POLICY.guard("GET /start")]) -> Response:
    for role in user.roles:
        if role in HOME:
            return RedirectResponse(HOME[role], status_code=303)
    return RedirectResponse("/anmelden?ohne_seite=1", status_code=303)


@router.get("/sprache", dependencies=[POLICY.guard("GET /sprache")])
async def switch_language(request: Request, lang: str = "de", weiter: str | None = None) -> Response:
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return RedirectResponse(safe_next(weiter), status_code=303)


@router.get("/anmelden", response_class=HTMLResponse, dependencies=[POLICY.guard("GET /anmelden")])
async def sign_in_page(
    request: Request, weiter: str | None = None, abgemeldet: bool = False, fehler: bool = False
) -> HTMLResponse:
    settings = request.app.state.settings
    users = demo_users(settings.local_city_dir) if settings.local_signin_enabled else []
    return render(
        request,
        "sign_in.html",
        oidc=settings.oidc_enabled,
        local_users=users,
        next=safe_next(weiter),
        signed_out=abgemeldet,
        failed=fehler,
    )


@router.get("/anmelden/oidc", dependencies=[POLICY.guard("GET /anmelden/oidc")])
async def sign_in_oidc(request: Request, weiter: str | None = None) -> Response:
    oauth = request.app.state.oauth
    if oauth is None:
        return RedirectResponse("/anmelden", status_code=303)
    request.session["next"] = safe_next(weiter)
    redirect_uri = request.app.state.settings.public_url.rstrip("/") + "/anmelden/rueckkehr"
    return await oauth.create_client(PROVIDER).authorize_redirect(request, redirect_uri)


@router.get("/anmelden/rueckkehr", dependencies=[POLICY.guard("GET /anmelden/rueckkehr")])
async def sign_in_return(request: Request) -> Response:
    oauth = request.app.state.oauth
    if oauth is None:
        return RedirectResponse("/anmelden", status_code=303)
    try:
        token = await oauth.create_client(PROVIDER).authorize_access_token(request)
    except OAuthError as exc:
        log.info("sign_in_refused", error=exc.error)
        return RedirectResponse("/anmelden?fehler=1", status_code=303)
    now = request.app.state.clock.now().timestamp()
    person = person_from_tokens(request.app.state.settings, token, now)
    target = safe_next(request.session.get("next"))
    sign_in(request, person)
    remember_id_token(request, settings_of(request), token)
    log.info("signed_in", method="oidc", roles=list(person.roles))
    return RedirectResponse(target, status_code=303)


@router.post("/anmelden/lokal", dependencies=[POLICY.guard("POST /anmelden/lokal")])
async def sign_in_local(
    request: Request, user_id: Annotated[str, Form()], weiter: Annotated[str, Form()] = "/start"
) -> Response:
    settings = request.app.state.settings
    if not settings.local_signin_enabled:
        return render(request, "message.html", status=404, title_key="not_found_title", text_key="not_found_text")
    chosen = next((u for u in demo_users(settings.local_city_dir) if u.id == user_id), None)
    if chosen is None:
        return RedirectResponse("/anmelden?fehler=1", status_code=303)
    now = request.app.state.clock.now().timestamp()
    token = issue_token(
        settings.local_key_dir,
        roles=[chosen.role],
        subject=chosen.id,
        team=chosen.team,
        org=chosen.org,
        ttl_seconds=LOCAL_TOKEN_HOURS * 3600,
    )
    name = chosen.team_name or chosen.org_name or chosen.name or chosen.id
    sign_in(
        request,
        SignedIn(chosen.id, (chosen.role,), token, now + LOCAL_TOKEN_HOURS * 3600, chosen.team, chosen.org, name),
    )
    log.info("signed_in", method="local", roles=[chosen.role])
    return RedirectResponse(safe_next(weiter), status_code=303)


@router.post("/abmelden", dependencies=[POLICY.guard("POST /abmelden")])
async def sign_out_now(request: Request) -> Response:
    """Ends the portal's session, and -- for a person who signed in at the city's provider --
    their session there too (RP-initiated logout), so the next person at a shared computer is
    not signed straight back in. The local sign-in just clears the session."""
    hint = id_token_hint(request)
    sign_out(request)
    end_session = await end_session_url(request.app.state.oauth, settings_of(request), hint)
    return RedirectResponse(end_session or "/anmelden?abgemeldet=1", status_code=303)
