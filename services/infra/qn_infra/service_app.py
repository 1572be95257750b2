"""The FastAPI application shell every service shares: lifespan of the runtime, auth, error
handling, correlation ids, `/healthz`, `/readyz` and `/metrics`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from .access import AccessPolicy
from .auth import TokenVerifier
from .errors import Problem
from .http import EdgeMiddleware, install_error_handlers
from .input_guard import NulGuard
from .metrics import metrics_endpoint
from .openapi_problems import declare_problems
from .request_gate import RequestGate
from .runtime import ServiceRuntime


def create_service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    version: str,
    description: str,
    routers: Iterable[APIRouter],
    error_statuses: Mapping[type[Problem], int],
    policy: AccessPolicy | None = None,
) -> FastAPI:
    """The app of one service. With `policy`, every route must have its rule (see `access`):
    the app does not start otherwise."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # The API docs (/docs, /redoc) come with their scripts: city networks often cannot reach a CDN.
    app = FastAPIOffline(title=title, version=version, description=description, lifespan=lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = TokenVerifier(runtime.settings, clock=runtime.clock)
    # outermost last: the edge (correlation id, access log, metrics) sees every answer; the gate
    # (body limits, token before body, public rate limit) runs before anything reads a body; the
    # NUL guard reads only bodies the gate let through
    app.add_middleware(NulGuard)
    app.add_middleware(RequestGate, settings=runtime.settings)
    app.add_middleware(EdgeMiddleware)
    install_error_handlers(app, error_statuses)

    @app.get("/healthz", tags=["operations"], summary="Alive")
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": runtime.settings.service_name}

    @app.get("/readyz", tags=["operations"], summary="Ready: database, broker and consumers")
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
        )

    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in routers:
        app.include_router(router)
    if policy is not None:
        policy.verify(app)
        app.state.access_policy = policy
    _document(app, policy)
    return app


def _document(app: FastAPI, policy: AccessPolicy | None) -> None:
    """The OpenAPI document says, for every operation, who may call it (`x-access`) and which
    problems it can answer with."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            if policy is not None:
                policy.describe(document)
            declare_problems(document)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
