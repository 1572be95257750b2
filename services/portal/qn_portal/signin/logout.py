"""Signing out at the city's identity provider as well: OpenID Connect RP-initiated logout. The
portal keeps the ID token of an OIDC sign-in in the session (as `id_token_hint`) and, on sign-out,
sends the browser to the provider's `end_session_endpoint` -- when the provider's discovery
document announces one -- which ends the person's session there and sends them back to
`post_logout_redirect_uri` (registered with the provider: Keycloak's realm allows the portal's
URL). A provider without one, or one that cannot be reached, leaves the local sign-out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth
from fastapi import Request

from qn_infra.logs import get_logger

from ..config import PortalSettings
from .oidc import PROVIDER

ID_TOKEN_KEY = "oidc_id_token"
SAME_AS_API_TOKEN = "="
NOT_KEPT = "-"
"""Signed in at the provider, but the ID token did not fit: the sign-out names the client only."""
ROOM_FOR_TOKENS = 2400
"""Characters both tokens may take together: the signed cookie (base64 of the session) must stay
under the browsers' 4 KB, and Keycloak's access tokens alone can take half of that."""
log = get_logger("qn_portal.signin")


def kept_for_sign_out(api_token_kind: str, api_token: str, id_token: object) -> str:
    """What the session keeps for the sign-out: the ID token, a marker when it is the API token
    already, or a marker that it did not fit beside the API token."""
    if api_token_kind == "id_token":
        return SAME_AS_API_TOKEN
    if isinstance(id_token, str) and len(api_token) + len(id_token) <= ROOM_FOR_TOKENS:
        return id_token
    return NOT_KEPT


def remember_id_token(request: Request, settings: PortalSettings, token: dict[str, Any]) -> None:
    api_token = str(token.get(settings.oidc_api_token) or "")
    request.session[ID_TOKEN_KEY] = kept_for_sign_out(settings.oidc_api_token, api_token, token.get("id_token"))


def id_token_hint(request: Request) -> str | None:
    """The hint for the provider ("" when the person signed in there but it was not kept), or
    None when they did not sign in at the provider (the local sign-in)."""
    kept = request.session.get(ID_TOKEN_KEY)
    if kept == SAME_AS_API_TOKEN:
        user = request.session.get("user")
        return str(user.get("token")) if isinstance(user, dict) and user.get("token") else ""
    if kept == NOT_KEPT:
        return ""
    return kept if isinstance(kept, str) else None


def post_logout_url(settings: PortalSettings) -> str:
    return settings.oidc_post_logout_url or settings.public_url.rstrip("/") + "/anmelden?abgemeldet=1"


async def end_session_url(oauth: OAuth | None, settings: PortalSettings, hint: str | None) -> str | None:
    """The provider's end-session address for this person, or None (local sign-out only)."""
    if oauth is None or hint is None:
        return None
    try:
        metadata = await oauth.create_client(PROVIDER).load_server_metadata()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("end_session_unavailable", reason=type(exc).__name__)
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": hint,
            "post_logout_redirect_uri": post_logout_url(settings),
            "client_id": settings.oidc_client_id,
        }
    )
    return endpoint + ("&" if "?" in endpoint else "?") + query
