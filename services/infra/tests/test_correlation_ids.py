"""A client's X-Correlation-ID goes into logs and into the headers of every event its request
causes, and streams keep events for years: it is taken only when it is a UUID (in lower-case
canonical form); anything else -- a name and a phone number travelled that way -- is replaced.
(That the id reaches the event on the stream is tested end to end, in tests/test_edge.py.)"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qn_testkit.auth import Tokens
from qn_testkit.edge import edge_app

pytestmark = pytest.mark.unit

CLIENT_ID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


@pytest.fixture
def client(tmp_path: Path, tokens: Tokens) -> TestClient:
    return TestClient(edge_app(tmp_path, tokens), raise_server_exceptions=False)


@pytest.mark.parametrize("sent", [CLIENT_ID, CLIENT_ID.upper(), f"  {CLIENT_ID} "])
def test_a_uuid_is_taken_in_lower_case_canonical_form(client: TestClient, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Correlation-ID": sent})
    assert response.headers["x-correlation-id"] == CLIENT_ID


@pytest.mark.parametrize(
    "sent",
    [
        "Hildegard Schroeder 0340 7654321",
        "req-4711",
        f"{{{CLIENT_ID}}}",
        f"urn:uuid:{CLIENT_ID}",
        CLIENT_ID.replace("-", ""),
        CLIENT_ID + "-0340",
        "",
    ],
)
def test_anything_else_is_replaced_by_a_new_uuid(client: TestClient, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Correlation-ID": sent})
    given = response.headers["x-correlation-id"]
    assert given != sent.strip()
    assert str(uuid.UUID(given)) == given


def test_a_problem_body_names_the_id_the_request_got(client: TestClient) -> None:
    response = client.post("/things", json={"name": "x"}, headers={"X-Correlation-ID": "Hildegard 0340 7654321"})
    assert response.status_code == 401
    assert response.json()["correlation_id"] == response.headers["x-correlation-id"]
    assert "Hildegard" not in response.text
