"""A small app built by `create_service_app`, as every service's is, to test the shared HTTP edge:
`POST /things` needs a token, `POST /sign-up` does not (like a volunteer's self-registration)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from qn_infra.auth import Principal, current_principal
from qn_infra.database import new_metadata
from qn_infra.outbox import outbox_table
from qn_infra.runtime import ServiceRuntime
from qn_infra.service_app import create_service_app
from qn_testkit.auth import Tokens
from qn_testkit.probe import ProbeSettings


class Thing(BaseModel):
    name: str
    tags: list[Any] = []


def edge_app(tmp_path: Path, tokens: Tokens, **settings: Any) -> FastAPI:
    router = APIRouter()

    @router.post("/things")
    async def record(thing: Thing, principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, str]:
        return {"name": thing.name, "by": principal.subject}

    @router.post("/sign-up")
    async def sign_up(thing: Thing) -> dict[str, str]:  # public, like a volunteer's self-registration
        return {"name": thing.name}

    runtime = ServiceRuntime(
        ProbeSettings(
            database_url=f"sqlite:///{tmp_path / 'gate.sqlite3'}",
            auth_jwks_file=tokens.jwks_file,
            **{"outbox_relay": "task", **settings},
        ),
        outbox=outbox_table(new_metadata()),
    )
    return create_service_app(runtime, title="gate", version="1", description="", routers=[router], error_statuses={})
