"""What the portal keeps of a signed-in person: who they are, their roles, team or carrier, and the
token it calls the services with -- in a signed, HttpOnly cookie, and nothing else. No social data
is ever stored by the portal."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import Request

from qn_infra.auth import Role

USER_KEY = "user"
CSRF_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass(frozen=True)
class SignedIn:
    subject: str
    roles: tuple[str, ...]
    token: str
    expires: float
    """Unix time the token ends; the session ends with it."""
    team: str | None = None
    org: str | None = None
    name: str | None = None
    """What the person is called on screen (the provider's name claim or the demo user's label)."""

    def has_any(self, *roles: str | Role) -> bool:
        return bool(set(self.roles).intersection(str(r) for r in roles))


def signed_in(request: Request, now: float) -> SignedIn | None:
    """The person of this session, or None (also when their token has run out)."""
    raw = request.session.get(USER_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        user = SignedIn(**{**raw, "roles": tuple(raw.get("roles", ()))})
    except TypeError:
        request.session.pop(USER_KEY, None)
        return None
    if user.expires <= now:
        request.session.pop(USER_KEY, None)
        return None
    return user


def sign_in(request: Request, user: SignedIn) -> None:
    # a new session on sign-in: nothing an attacker planted before (a CSRF token) carries over
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language
    request.session[USER_KEY] = asdict(user) | {"roles": list(user.roles)}
    request.session[CSRF_KEY] = secrets.token_urlsafe(24)


def sign_out(request: Request) -> None:
    language = request.session.get("lang")
    request.session.clear()
    if language:
        request.session["lang"] = language


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use), for the hidden field of every form."""
    token = request.session.get(CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session[CSRF_KEY] = token
    return token


def csrf_ok(request: Request, sent: Any) -> bool:
    expected = request.session.get(CSRF_KEY)
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)
