"""Bearer JWT authentication and per-route role checks.

Tokens are verified against a JWKS (a URL of the city's identity provider, or a local file) with
asymmetric algorithms only; issuer, audience and expiry are required. Roles come from a
configurable claim (`roles`, or e.g. `realm_access.roles` for Keycloak)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import anyio
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .clock import Clock, SystemClock
from .errors import Forbidden, Unauthenticated, Unavailable
from .settings import ServiceSettings
from .signing_keys import SigningKeys


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
    """Turns a bearer token into a `Principal`, or raises `Unauthenticated` -- for every token a
    client can send, however malformed or forged (never another error, never a 500)."""

    # A client sends the same token with every request; checking its signature each time costs more
    # than the rest of a small request. Verified tokens are remembered until they expire -- with the
    # key that signed them, so that a key taken out of the set ends them too.
    CACHE_SIZE = 4096
    # Real tokens are a few kilobytes; anything far larger is refused before it is even decoded.
    MAX_TOKEN_LENGTH = 16 * 1024

    def __init__(self, settings: ServiceSettings, *, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock: Clock = clock or SystemClock()
        self._keys = SigningKeys(
            file=settings.auth_jwks_file,
            url=settings.auth_jwks_url,
            refresh_seconds=settings.auth_jwks_refresh_seconds,
            clock=self._clock,
        )
        self._verified: dict[str, _Verified] = {}

    def cached(self, token: str) -> Principal | None:
        """The principal of a token verified before, if that still holds; no I/O, so it may run on
        the event loop. None means: call `verify` (in a worker thread)."""
        entry = self._verified.get(token)
        if entry is None or self._keys.due():
            return None
        if entry.expires <= self._clock.now().timestamp() or not self._keys.holds(entry.key):
            self._verified.pop(token, None)
            return None
        return entry.principal

    def verify(self, token: str) -> Principal:
        """Verifies signature, issuer, audience and expiry; may read the key set (blocking)."""
        if len(token) > self.MAX_TOKEN_LENGTH:
            raise _refused("too_long")
        self._keys.refresh()
        principal = self.cached(token)
        if principal is not None:
            return principal
        entry = self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = entry
        return entry.principal

    def _verify(self, token: str) -> _Verified:
        s = self._settings
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise _refused("unreadable") from exc
        algorithm = header.get("alg")
        if algorithm not in s.auth_algorithms:
            raise _refused("algorithm")
        candidates = self._keys.candidates(header.get("kid"), algorithm)
        if not candidates:
            if self._keys.unreachable:
                raise Unavailable(
                    "Anmeldedienst nicht erreichbar; bitte gleich noch einmal.",
                    "The identity provider cannot be reached; please retry shortly.",
                    extra={"reason": "signing_keys_unreachable"},
                )
            raise _refused("unknown_key")
        for key, prepared in candidates:
            try:
                claims = jwt.decode(
                    token,
                    key=prepared,
                    algorithms=[algorithm],
                    audience=s.auth_audience,
                    issuer=s.auth_issuer,
                    options={"require": ["exp", "iss", "aud", "sub"]},
                )
            except jwt.InvalidSignatureError:
                continue  # a token without a key id: the next key may have signed it
            except (jwt.PyJWTError, ValueError, TypeError) as exc:
                raise _refused(_reason(exc)) from exc
            principal = Principal(
                subject=str(claims["sub"]),
                roles=_roles(_claim(claims, s.auth_roles_claim)),
                org=_text(_claim(claims, s.auth_org_claim)),
                team=_text(_claim(claims, s.auth_team_claim)),
            )
            return _Verified(principal, float(claims["exp"]), key.fingerprint)
        raise _refused("signature")


@dataclass(frozen=True)
class _Verified:
    principal: Principal
    expires: float
    key: str
    """Fingerprint of the key that signed the token."""


_REFUSALS = {
    "too_long": ("Token ungültig: zu lang.", "Invalid token: too long."),
    "unreadable": ("Token ungültig: kein lesbares JWT.", "Invalid token: not a readable JWT."),
    "algorithm": ("Token ungültig: Signaturverfahren nicht erlaubt.", "Invalid token: algorithm not allowed."),
    "unknown_key": ("Token ungültig: unbekannter Signaturschlüssel.", "Invalid token: unknown signing key."),
    "signature": ("Token ungültig: Signatur stimmt nicht.", "Invalid token: signature does not match."),
    "expired": ("Token abgelaufen: bitte neu anmelden.", "Token expired: please sign in again."),
    "not_yet_valid": ("Token noch nicht gültig.", "Token not yet valid."),
    "audience": (
        "Token ungültig: für einen anderen Dienst oder Aussteller ausgestellt.",
        "Invalid token: issued for another service or by another issuer.",
    ),
    "claims": ("Token ungültig: Pflichtangaben fehlen oder sind falsch.", "Invalid token: claims missing or wrong."),
}


def _refused(reason: str) -> Unauthenticated:
    de, en = _REFUSALS[reason]
    return Unauthenticated(de=de, en=en, extra={"reason": reason})


def _reason(exc: Exception) -> str:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "expired"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "not_yet_valid"
    if isinstance(exc, jwt.InvalidAudienceError | jwt.InvalidIssuerError):
        return "audience"
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return "algorithm"
    if isinstance(exc, jwt.DecodeError):
        return "unreadable"
    return "claims"


def _roles(value: Any) -> frozenset[str]:
    # identity providers write one role as a plain string, several as a list
    if isinstance(value, str):
        return frozenset((value,))
    if isinstance(value, list):
        return frozenset(item for item in value if isinstance(item, str))
    return frozenset()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


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


PRINCIPAL_SCOPE_KEY = "qn.principal"
"""Where the edge leaves the caller it verified before reading the body (see `request_gate`)."""


def missing_token() -> Unauthenticated:
    return Unauthenticated(
        de="Anmeldung erforderlich: Header 'Authorization: Bearer <Token>' fehlt.",
        en="Authentication required: header 'Authorization: Bearer <token>' is missing.",
        extra={"reason": "missing"},
    )


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header (401 without one)."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise missing_token()
    return token.strip()


async def authenticate(verifier: TokenVerifier, token: str) -> Principal:
    """The verified caller. A token seen before is answered on the event loop; a new one (or a
    key set due for a look) is verified in a worker thread, since reading a JWKS URL blocks."""
    principal = verifier.cached(token)
    if principal is not None:
        return principal
    return await anyio.to_thread.run_sync(verifier.verify, token)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Principal:
    """FastAPI dependency: the verified caller (401 without a valid token). The edge has usually
    verified it already, before the body was read; then that result is used. Async on purpose:
    FastAPI runs a plain `def` dependency in its thread pool, a hop that costs more than checking
    an already verified token."""
    verified = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if isinstance(verified, Principal):
        return verified
    if credentials is None or not credentials.credentials.strip():
        raise missing_token()
    return await authenticate(request.app.state.token_verifier, credentials.credentials.strip())


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
