"""Calls to matching's API: with the signed-in person's token like every call to intake, and the
one call without a token, the public self-registration of a newcomer."""

from __future__ import annotations

from typing import Any

import httpx

from .intake_client import IntakeClient, ServiceUnavailable, problem_of


class MatchingClient(IntakeClient):
    """The same conventions as intake's client: problem+json becomes an `ApiProblem`, no answer or
    a 5xx a `ServiceUnavailable`."""

    async def apply(self, lang: str, body: dict[str, Any], *, client: str) -> Any:
        """`POST /volunteers/applications`: no login; the answer is only a reference. `client` is
        the newcomer's address: matching limits per client by it when it trusts the portal."""
        headers = {"Accept-Language": lang, "X-Forwarded-For": client}
        try:
            response = await self._http.post("/volunteers/applications", json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(str(type(exc).__name__)) from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(f"status {response.status_code}")
        if response.status_code >= 400:
            raise problem_of(response)
        return response.json()
