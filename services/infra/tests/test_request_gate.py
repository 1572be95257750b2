"""The edge every service shares decides before any body is read: 401 on a route that needs a
token, 413 beyond the body limit (by Content-Length at once, by counting for a chunked body),
429 beyond the public rate limit -- each a problem body in German or English, never a 500.
The app here is built by `create_service_app`, as every service's is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qn_infra.auth import Principal, TokenVerifier
from qn_infra.client_address import client_address, trusted_networks
from qn_testkit.auth import Tokens
from qn_testkit.edge import edge_app
from qn_testkit.keys import JwksServer

pytestmark = pytest.mark.unit

ISSUE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.e30.eA"


@pytest.fixture
def app(tmp_path: Path, tokens: Tokens) -> FastAPI:
    return edge_app(tmp_path, tokens, max_body_bytes=64 * 1024, public_max_body_bytes=1024)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    yield TestClient(app, raise_server_exceptions=False)


class Upload:
    """An ASGI request driven by hand: the body arrives in chunks (as `Transfer-Encoding: chunked`
    would), and the test sees how many of them the app took."""

    def __init__(self, path: str, *, chunks: int, chunk_size: int = 16 * 1024, headers: dict[str, str]) -> None:
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        self.chunks, self.chunk_size, self.taken = chunks, chunk_size, 0
        self.status = 0
        self.body = b""

    async def receive(self) -> dict[str, Any]:
        self.taken += 1
        more = self.taken < self.chunks
        return {"type": "http.request", "body": b"x" * self.chunk_size, "more_body": more}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.body += message.get("body", b"")

    def run(self, app: FastAPI) -> Upload:
        anyio.run(app, self.scope, self.receive, self.send)
        return self

    @property
    def problem(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


def test_a_body_declared_too_large_is_refused_before_a_byte_is_read(app: FastAPI, tokens: Tokens) -> None:
    upload = Upload(
        "/things", chunks=20_000, headers={"content-length": str(300 * 1024 * 1024), **tokens.headers("admin")}
    ).run(app)
    assert upload.status == 413
    assert upload.taken == 0
    assert upload.problem["errors"] == [
        {"field": "body", "message": "Der Inhalt der Anfrage ist zu groß: höchstens 65536 Bytes."}
    ]


def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(app: FastAPI, tokens: Tokens) -> None:
    upload = Upload("/things", chunks=20_000, headers=tokens.headers("admin")).run(app)  # 320 MB on offer
    assert upload.status == 413
    assert upload.taken == 5, "64 KiB limit, 16 KiB chunks: the fifth chunk passes it, nothing after is read"
    assert upload.problem["max_bytes"] == 64 * 1024


@pytest.mark.parametrize("authorization", [None, f"Bearer {ISSUE_TOKEN}", "Basic YWRtaW46YWRtaW4=", "Bearer "])
def test_a_route_that_needs_a_token_answers_401_before_reading_the_body(
    app: FastAPI, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization else {}
    upload = Upload("/things", chunks=3, headers=headers).run(app)
    assert upload.status == 401
    assert upload.taken == 0
    assert upload.problem["type"] == "urn:quartiersnetz:problem:unauthenticated"


def test_the_token_is_verified_once_per_request(client: TestClient, app: FastAPI, tokens: Tokens) -> None:
    verifier: TokenVerifier = app.state.token_verifier
    calls: list[str] = []
    original = verifier.verify

    def counting(token: str) -> Principal:
        calls.append(token)
        return original(token)

    verifier.verify = counting  # type: ignore[method-assign]
    response = client.post("/things", json={"name": "Kaffee"}, headers=tokens.headers("admin", subject="carla"))
    assert response.json() == {"name": "Kaffee", "by": "carla"}
    assert len(calls) == 1


def test_the_issue_token_gets_401_in_english_on_request(client: TestClient) -> None:
    response = client.post(
        "/things", json={"name": "x"}, headers={"Authorization": f"Bearer {ISSUE_TOKEN}", "Accept-Language": "en"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (response.json()["title"], response.json()["detail"]) == (
        "Not authenticated",
        "Invalid token: unknown signing key.",
    )


def test_a_public_route_has_its_own_small_body_limit(client: TestClient) -> None:
    assert client.post("/sign-up", json={"name": "Renate"}).status_code == 200
    response = client.post("/sign-up", json={"name": "R" * 2000})
    assert response.status_code == 413
    assert response.json()["max_bytes"] == 1024


def test_the_health_probe_has_the_public_body_limit_too(client: TestClient) -> None:
    response = client.request("GET", "/healthz", content=b"x" * 2000)
    assert response.status_code == 413


def test_public_routes_are_rate_limited_per_client_but_probes_and_token_routes_are_not(
    tmp_path: Path, tokens: Tokens
) -> None:
    client = TestClient(edge_app(tmp_path, tokens, public_rate_limit="3/hour"), raise_server_exceptions=False)
    assert [client.post("/sign-up", json={"name": "R"}).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.post("/sign-up", json={"name": "R"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["title"] == "Zu viele Anfragen"
    assert client.get("/openapi.json").status_code == 429, "the limit is per client, not per route"
    assert {client.get("/healthz").status_code for _ in range(10)} == {200}
    assert {client.get("/readyz").status_code for _ in range(10)} != {429}
    staff = tokens.headers("admin")
    assert {client.post("/things", json={"name": "R"}, headers=staff).status_code for _ in range(10)} == {200}


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(tmp_path: Path, tokens: Tokens) -> None:
    # the portal sends every newcomer's form from its own address: trusted, it names each of them
    app = edge_app(tmp_path, tokens, public_rate_limit="2/hour", trusted_proxies=["10.0.0.0/24"])
    proxy = TestClient(app, raise_server_exceptions=False, client=("10.0.0.5", 40000))

    def sign_up(client: TestClient, forwarded_for: str) -> int:
        return client.post("/sign-up", json={"name": "R"}, headers={"X-Forwarded-For": forwarded_for}).status_code

    assert [sign_up(proxy, "198.51.100.1") for _ in range(3)] == [200, 200, 429]  # one client is limited
    assert [sign_up(proxy, "198.51.100.2") for _ in range(2)] == [200, 200]  # another is not
    assert sign_up(proxy, "198.51.100.1, 10.0.0.7") == 429, "a trusted hop in between names the same client"
    # from anyone else the header is ignored: a client cannot pick a fresh address per request
    stranger = TestClient(app, raise_server_exceptions=False, client=("203.0.113.9", 40000))
    assert [sign_up(stranger, f"198.51.100.{n}") for n in range(10, 13)] == [200, 200, 429]


def test_the_client_address_is_believed_only_from_trusted_proxies() -> None:
    trusted = trusted_networks(["10.0.0.0/8", "::1"])
    assert client_address("10.1.2.3", "192.0.2.7", trusted) == "192.0.2.7"
    assert client_address("::1", "192.0.2.1, 192.0.2.7, 10.0.0.2", trusted) == "192.0.2.7"
    assert client_address("192.0.2.99", "192.0.2.7", trusted) == "192.0.2.99"
    assert client_address("10.1.2.3", None, trusted) == "10.1.2.3"
    assert client_address("10.1.2.3", "10.0.0.1", trusted) == "10.0.0.1"  # only proxies: the farthest
    with pytest.raises(ValueError, match="not an address or network: 'portal'"):
        trusted_networks(["portal"])


def nested(depth: int, leaf: str) -> bytes:
    return b'{"name": "x", "tags": ' + b"[" * depth + leaf.encode() + b"]" * depth + b"}"


@pytest.mark.parametrize("leaf", ['"\\u0000"', '"ok"'], ids=["with-nul", "without-nul"])
@pytest.mark.parametrize("depth", [900, 5_000], ids=["deep", "deeper-than-the-parser"])
def test_deeply_nested_json_gets_401_without_token_and_422_with_one(
    client: TestClient, tokens: Tokens, leaf: str, depth: int
) -> None:
    body, json_type = nested(depth, leaf), {"content-type": "application/json"}
    assert client.post("/things", content=body, headers=json_type).status_code == 401
    response = client.post("/things", content=body, headers={**json_type, **tokens.headers("admin")})
    if leaf == '"ok"' and depth == 900:
        assert response.status_code == 200  # deep, but readable and valid
        return
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith("tags" if depth == 900 else "body")


def test_an_unreachable_identity_provider_is_a_503_with_retry_after_not_a_401(tmp_path: Path, tokens: Tokens) -> None:
    with JwksServer().running() as provider:
        provider.failing = True
        client = TestClient(edge_app(tmp_path, tokens, auth_jwks_url=provider.url), raise_server_exceptions=False)
        answer = client.post("/things", json={"name": "x"}, headers=tokens.headers("team_staff"))
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["retry-after"] == "5"
    assert "Anmeldedienst nicht erreichbar" in answer.json()["detail"]
    assert answer.json()["reason"] == "signing_keys_unreachable"
