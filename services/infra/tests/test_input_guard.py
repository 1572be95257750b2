"""The NUL character is refused everywhere with 422 naming where it is -- the same answer on
SQLite and on PostgreSQL (which cannot store it)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from qn_infra.input_guard import NulGuard

pytestmark = pytest.mark.unit


class Body(BaseModel):
    name: str
    tags: list[str] = []


def app() -> TestClient:
    from fastapi import FastAPI

    from qn_infra.http import install_error_handlers

    api = FastAPI()
    router = APIRouter()

    @router.post("/things")
    async def create(body: Body) -> dict[str, str]:
        return {"name": body.name}

    @router.get("/things")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    api.include_router(router)
    api.add_middleware(NulGuard)
    install_error_handlers(api, {})
    return TestClient(api)


def test_nul_in_a_body_field_gets_422_naming_the_field() -> None:
    response = app().post(
        "/things", content=b'{"name": "ok", "tags": ["a", "b\\u0000c"]}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "tags.1"


def test_nul_in_the_query_gets_422_in_english_on_request() -> None:
    response = app().get("/things?q=a%00b", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"field": "query", "message": "The NUL character (\\u0000) is not allowed."}


def test_a_clean_body_reaches_the_route_unchanged() -> None:
    response = app().post("/things", json={"name": "Grüße \\u0000 als Text", "tags": ["x"]})
    assert response.status_code == 200
    assert response.json() == {"name": "Grüße \\u0000 als Text"}


@pytest.mark.parametrize("depth", [500, 100_000])
def test_nul_deep_inside_nested_json_gets_422_not_500(depth: int) -> None:
    """It was a RecursionError in the guard (before authentication) and a 500."""
    body = b'{"name": "ok", "tags": ' + b"[" * depth + b'"\\u0000"' + b"]" * depth + b"}"
    response = app().post("/things", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == ("tags" + ".0" * depth if depth == 500 else "body")
