"""Calls to intake's API with the signed-in person's token and language. An answer that is not a
success becomes an `ApiProblem` carrying intake's problem+json -- its German (or English) sentences
and the fields they name -- so that a page can show them next to the fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from .session import SignedIn


@dataclass
class ApiProblem(Exception):
    status: int
    code: str = ""
    detail: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)
    """(field as intake names it, e.g. "address.street"; the sentence)."""
    body: dict[str, Any] = field(default_factory=dict)


class ServiceUnavailable(Exception):
    """The service did not answer (down, or too slow)."""


def problem_of(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = [
        (str(e.get("field", "")), str(e.get("message", "")))
        for e in body.get("errors", []) or []
        if isinstance(e, dict)
    ]
    return ApiProblem(
        status=response.status_code,
        code=str(body.get("code", "")),
        detail=str(body.get("detail", "")),
        errors=errors,
        body=body,
    )


class IntakeClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def alive(self) -> bool:
        """Whether intake answers its liveness probe (for the portal's readiness)."""
        try:
            response = await self._http.get("/healthz", timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    async def call(
        self,
        user: SignedIn,
        lang: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {user.token}", "Accept-Language": lang}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = await self._http.request(method, path, json=json, params=clean, headers=headers)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(str(type(exc).__name__)) from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(f"status {response.status_code}")
        if response.status_code >= 400:
            raise problem_of(response)
        return response.json() if response.content else None
