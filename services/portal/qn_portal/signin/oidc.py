"""OpenID Connect authorisation code flow with PKCE (S256) against the city's identity provider,
through Authlib's Starlette client: state, nonce and code verifier live in the session between
the redirect and the return; the ID token is verified against the provider's keys."""

from __future__ import annotations

from typing import Any

from authlib.integrations.starlette_client import OAuth

from ..config import PortalSettings
from ..session import SignedIn

PROVIDER = "city"


def make_oauth(settings: PortalSettings) -> OAuth | None:
    if not settings.oidc_enabled:
        return None
    oauth = OAuth()
    oauth.register(
        PROVIDER,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": settings.oidc_scope, "code_challenge_method": "S256"},
    )
    return oauth


def claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def person_from_tokens(settings: PortalSettings, token: dict[str, Any], now: float) -> SignedIn:
    """The signed-in person from the code flow's answer: claims of the verified ID token."""
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    roles = claim(claims, settings.roles_claim)
    if isinstance(roles, str):
        roles = [roles]
    api_token = str(token.get(settings.oidc_api_token) or "")
    expires = float(token.get("expires_at") or claims.get("exp") or now + 300)
    team, org = claim(claims, settings.team_claim), claim(claims, settings.org_claim)
    return SignedIn(
        subject=str(claims.get("sub", "")),
        roles=tuple(r for r in (roles or []) if isinstance(r, str)),
        token=api_token,
        expires=expires,
        team=team if isinstance(team, str) else None,
        org=org if isinstance(org, str) else None,
        name=str(claims.get("name") or claims.get("preferred_username") or claims.get("sub", "")),
    )
