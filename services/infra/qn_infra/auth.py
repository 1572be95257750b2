"""Bearer JWT authentication and per-route role checks.

Tokens are verified against a JWKS (a URL of the city's identity provider, or a local file) with
asymmetric algorithms only; issuer, audience and expiry are required. Roles come from a
configurable claim (`roles`, or e.g. `realm_access.roles` for Keycloak)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt import PyJWKClient, PyJWKSet

from .errors import Forbidden, Unauthenticated
from .settings import ServiceSettings


class Role(StrEnum):
    TEAM_STAFF = "team_staff"
    KUEMMERER = "kuemmerer"
    """Soziale Kümmerer: record observations and raise early-warning signals in their quarter."""
    COORDINATOR = "coordinator"
    CARRIER = "carrier"
    VOLUNTEER = "volunteer"
    COMMITTEE = "committee"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject, roles, and the carrier/office (`org`) or team they belong to."""

    subject: str
    roles: frozenset[str]
    org: str | None = None
    team: str | None = None

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class TokenVerifier:
    # A client sends the same token with every request; checking its signature each time costs more
    # than the rest of a small request. Verified tokens are remembered until they expire.
    CACHE_SIZE = 4096

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._verified: dict[str, tuple[float, Principal]] = {}
        self._client = PyJWKClient(settings.auth_jwks_url, cache_keys=True) if settings.auth_jwks_url else None
        self._file = settings.auth_jwks_file
        self._file_keys: tuple[float, PyJWKSet] | None = None
        self._lock = threading.Lock()

    def _key_for(self, token: str) -> Any:
        if self._client is not None:
            return self._client.get_signing_key_from_jwt(token).key
        header = jwt.get_unverified_header(token)
        keys = self._load_file_keys()
        kid = header.get("kid")
        for key in keys.keys:
            if kid is None or key.key_id == kid:
                return key.key
        raise jwt.InvalidTokenError("unknown signing key")

    def _load_file_keys(self) -> PyJWKSet:
        path = Path(self._file) if self._file else None
        if path is None or not path.is_file():
            raise jwt.InvalidTokenError("no signing keys configured")
        mtime = path.stat().st_mtime
        with self._lock:
            if self._file_keys is None or self._file_keys[0] != mtime:
                self._file_keys = (mtime, PyJWKSet.from_dict(json.loads(path.read_text())))
            return self._file_keys[1]

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached[0] > time.time():
            return cached[1]
        principal, expires = self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (expires, principal)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        s = self._settings
        try:
            claims = jwt.decode(
                token,
                key=self._key_for(token),
                algorithms=list(s.auth_algorithms),
                audience=s.auth_audience,
                issuer=s.auth_issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise Unauthenticated(de=f"Token ungültig: {exc}", en=f"Invalid token: {exc}") from exc
        principal = Principal(
            subject=str(claims["sub"]),
            roles=frozenset(_claim(claims, s.auth_roles_claim) or ()),
            org=_claim(claims, s.auth_org_claim),
            team=_claim(claims, s.auth_team_claim),
        )
        return principal, float(claims["exp"])


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


# Declared so that the OpenAPI document names the scheme (Swagger UI shows "Authorize");
# auto_error off, because a missing token gets our own 401 body, in German or English.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description="A JWT from the city's identity provider; locally `make token ROLE=team_staff`.",
)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Principal:
    """FastAPI dependency: the verified caller (401 without a valid token). Async on purpose:
    FastAPI runs a plain `def` dependency in its thread pool, a hop that costs more than checking
    an already verified token."""
    if credentials is None or not credentials.credentials.strip():
        raise Unauthenticated(
            de="Anmeldung erforderlich: Header 'Authorization: Bearer <Token>' fehlt.",
            en="Authentication required: header 'Authorization: Bearer <token>' is missing.",
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(credentials.credentials.strip())


def require(*roles: Role | str) -> Any:
    """FastAPI dependency that admits only callers holding one of `roles` (403 otherwise)."""
    wanted = tuple(str(r) for r in roles)

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if wanted and not principal.has_any(*wanted):
            raise Forbidden(
                de=f"Keine Berechtigung: eine dieser Rollen ist nötig: {', '.join(wanted)}.",
                en=f"Not allowed: one of these roles is required: {', '.join(wanted)}.",
                extra={"required_roles": list(wanted)},
            )
        return principal

    return Depends(check)
