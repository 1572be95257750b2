"""What every request passes before anything reads its body: the route it is for decides the body
limit, whether a token is needed, and whether the public rate limit applies.

- A route that needs a token (its dependencies ask for `current_principal`) gets a 401 before a
  single byte of the body is read; the verified caller is left in the scope, so the route's own
  dependency does not verify the token again.
- A body larger than the route's limit is refused with 413: by its `Content-Length` at once, and
  a chunked body as soon as the bytes received pass the limit -- the rest is never read, so a
  300 MB upload costs no more memory than the limit.
- Routes without a token (health, metrics, API docs, later the public programme) get a small
  body limit and a rate limit per client address; `/healthz` and `/readyz` are not rate limited,
  since probes call them often. Behind a trusted proxy (`trusted_proxies`), the client is the one
  its `X-Forwarded-For` names (`client_address`).

Starlette has a body limit middleware, but it answers in plain text and only once a route reads;
ours answers with a problem body before authentication or parsing starts."""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Any

from fastapi.routing import iter_route_contexts
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .access import route_needs_token
from .auth import PRINCIPAL_SCOPE_KEY, authenticate, bearer_token
from .client_address import client_address, trusted_networks
from .errors import Unauthenticated, Unavailable
from .http import language, problem, problem_response
from .settings import ServiceSettings

PROBES = frozenset({"/healthz", "/readyz"})


class RequestGate:
    """Pure ASGI middleware, inside the edge (so refusals are logged and counted) and outside
    everything that reads a body."""

    def __init__(self, app: ASGIApp, *, settings: ServiceSettings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.public_max_body = settings.public_max_body_bytes
        self.rate_limits = parse_many(settings.public_rate_limit)
        self.trusted_proxies = trusted_networks(settings.trusted_proxies)
        # the synchronous in-memory storage: no I/O, and its expiry runs in one timer thread
        # (the asyncio variant hops to a thread per key on every expiry run)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self._routes: list[tuple[Any, Any, bool]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        needs_token = self._match(scope)
        limit = self.max_body if needs_token else self.public_max_body
        request = Request(scope)
        if not needs_token and scope["path"] not in PROBES:
            retry_after = self._rate_limited(scope)
            if retry_after is not None:
                await self._too_many(request, retry_after)(scope, receive, send)
                return
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(request, limit)(scope, receive, send)
            return
        if needs_token:
            try:
                token = bearer_token(request.headers.get("authorization"))
                scope[PRINCIPAL_SCOPE_KEY] = await authenticate(scope["app"].state.token_verifier, token)
            except Unauthenticated as exc:
                await problem_response(request, exc, 401)(scope, receive, send)
                return
            except Unavailable as exc:
                await problem_response(request, exc, 503)(scope, receive, send)
                return
        messages = await _read_body(receive, limit)
        if messages is None:
            await _too_large(request, limit)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.popleft() if messages else await receive()

        await self.app(scope, replay, send)

    def _match(self, scope: Scope) -> bool:
        """Whether the route this request is for needs a token; the route goes into the scope (for
        the access log) when one matches fully. Requests no route takes are public."""
        for context, route, needs_token in self._classified(scope):
            match, _ = context.matches(scope)
            if match == Match.FULL:
                scope["route"] = route
                return needs_token
        return False

    def _classified(self, scope: Scope) -> list[tuple[Any, Any, bool]]:
        # once per app: its routes are fixed by the time it serves (included routers are walked
        # through, with their own dependencies)
        if self._routes is None:
            self._routes = [
                (context, context.original_route, _needs_token(context))
                for context in iter_route_contexts(scope["app"].routes)
            ]
        return self._routes

    def _rate_limited(self, scope: Scope) -> int | None:
        """Seconds to wait, or None when the client may go on."""
        client = scope.get("client")
        forwarded = ",".join(Request(scope).headers.getlist("x-forwarded-for"))
        address = client_address(client[0] if client else None, forwarded, self.trusted_proxies)
        for item in self.rate_limits:
            if not self.limiter.hit(item, "public", address):
                reset_at, _ = self.limiter.get_window_stats(item, "public", address)
                # the limits library keeps its windows on the wall clock, so the wait is told on it
                return max(1, math.ceil(reset_at - time.time()))
        return None

    @staticmethod
    def _too_many(request: Request, retry_after: int) -> Any:
        de = f"Zu viele Anfragen von dieser Adresse; bitte in {retry_after} Sekunden noch einmal."
        en = f"Too many requests from this address; please retry in {retry_after} seconds."
        return problem(
            request,
            429,
            de if language(request) == "de" else en,
            code="rate_limited",
            extra={"retry_after_seconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def _needs_token(context: Any) -> bool:
    return hasattr(context, "dependant") and context.dependant is not None and route_needs_token(context)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length before we see it
    return None


async def _read_body(receive: Receive, limit: int) -> deque[Message] | None:
    """The body's messages, or None as soon as their bytes pass `limit` (the rest stays unread)."""
    messages: deque[Message] = deque()
    received = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        received += len(message.get("body", b""))
        if received > limit:
            return None
        if not message.get("more_body"):
            return messages


def _too_large(request: Request, limit: int) -> Any:
    de = f"Der Inhalt der Anfrage ist zu groß: höchstens {limit} Bytes."
    en = f"The request body is too large: at most {limit} bytes."
    text = de if language(request) == "de" else en
    return problem(
        request,
        413,
        text,
        code="body_too_large",
        errors=[{"field": "body", "message": text}],
        extra={"max_bytes": limit},
    )
