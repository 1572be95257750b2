"""The HTTP edge of all four services as real processes, with the requests from the issue "Safe for
social data" (section 8): none may give a 500 or make a service grow. As curl lines:

    # a token whose header says RS256, with an empty payload and a junk signature -> 401 everywhere
    curl -H 'Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.e30.eA' http://127.0.0.1:8002/volunteers
    # deeply nested JSON holding \\u0000 -> 401 without a token (before the body is read), 422 with one
    python -c 'print("["*100000 + "\\"\\\\u0000\\"" + "]"*100000)' | curl --data-binary @- \\
         -H 'Content-Type: application/json' http://127.0.0.1:8001/concerns
    # a huge upload -> 401 without a token, 413 with one, at once and without the process growing
    head -c 300000000 /dev/zero | curl -T - -X POST http://127.0.0.1:8001/concerns

Also here: a client's correlation id reaches the events on the stream only as a UUID, and a
normal start leaves no traceback in any service's log."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from qn_testkit.auth import Tokens
from qn_testkit.city import SERVICES, City, start_city, stop_city
from qn_testkit.databases import DatabaseFactory
from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.e2e

ISSUE_TOKEN = "eyJhbGciOiJSUzI1NiJ9.e30.eA"
DEEP_NUL = b"[" * 100_000 + b'"\\u0000"' + b"]" * 100_000
PROBLEM_JSON = "application/problem+json"
IDLE_SECONDS = 6.0


@pytest.fixture(scope="module")
def city(databases: DatabaseFactory, tokens: Tokens, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """One running city for the whole module (starting four services costs most of the time)."""
    running = start_city(databases, tokens, tmp_path_factory.mktemp("edge"))
    running.started_at = time.monotonic()  # type: ignore[attr-defined]
    try:
        yield running
    finally:
        stop_city(running)


def authenticated_operations(city: City, service: str) -> list[tuple[str, str]]:
    """(method, path with made-up ids) of every operation the service documents as needing a token."""
    document = httpx.get(f"{city.url(service)}/openapi.json", timeout=10).json()
    operations = []
    for template, item in document["paths"].items():
        path = template
        for name in [part[1:-1] for part in template.split("/") if part.startswith("{")]:
            path = path.replace(f"{{{name}}}", str(uuid.uuid4()) if name.endswith("_id") else "x")
        operations += [(method.upper(), path) for method, op in item.items() if op.get("security")]
    return operations


def assert_problem(response: httpx.Response, status: int, where: str) -> dict[str, Any]:
    assert response.status_code == status, f"{where}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"] == PROBLEM_JSON, where
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"], where
    return body


def test_the_rs256_token_from_the_issue_gets_401_on_every_authenticated_route_of_every_service(city: City) -> None:
    answered = 0
    for service in SERVICES:
        operations = authenticated_operations(city, service)
        assert len(operations) >= 3, f"{service} documents its authenticated routes"
        with httpx.Client(base_url=city.url(service), timeout=15) as client:
            for method, path in operations:
                response = client.request(method, path, headers={"Authorization": f"Bearer {ISSUE_TOKEN}"})
                body = assert_problem(response, 401, f"{service} {method} {path}")
                assert body["detail"] == "Token ungültig: unbekannter Signaturschlüssel."
                answered += 1
    assert answered >= 30


@pytest.mark.parametrize(
    ("service", "method", "path", "anonymous", "staff"),
    [
        ("intake", "POST", "/concerns", 401, 422),
        ("matching", "POST", "/volunteers", 401, 422),
        ("scheduling", "PUT", "/sites/franztreff", 401, 422),
        # reporting has no route that takes a body: a request no route takes has the public limit
        ("reporting", "POST", "/counts", 413, 413),
    ],
)
def test_deeply_nested_json_with_or_without_nul_never_gets_a_500(
    city: City, service: str, method: str, path: str, anonymous: int, staff: int
) -> None:
    json_type = {"Content-Type": "application/json"}
    headers = {**json_type, **city.tokens.headers("admin", "coordinator", "team_staff", team="team-innenstadt")}
    with httpx.Client(base_url=city.url(service), timeout=15) as client:
        assert_problem(client.request(method, path, content=DEEP_NUL, headers=json_type), anonymous, service)
        for body in (DEEP_NUL, DEEP_NUL.replace(b"\\u0000", b"ok")):
            answer = assert_problem(client.request(method, path, content=body, headers=headers), staff, service)
            assert answer["errors"][0]["field"] == "body"


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


def zeros(megabytes: int, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A body made as it is sent (httpx sends it chunked, with no Content-Length)."""
    block = b"0" * chunk
    for _ in range(megabytes * 1024 * 1024 // chunk):
        yield block


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("staff", 413)])
def test_a_large_chunked_upload_is_refused_at_once_and_the_service_does_not_grow(
    city: City, who: str, status: int
) -> None:
    intake = city.services["intake"]
    assert intake.process is not None
    pid = intake.process.pid
    headers = {"Content-Type": "application/json"}
    if who == "staff":
        headers.update(city.tokens.headers("team_staff", team="team-innenstadt"))
    before, peak_before = rss_kib(pid), rss_kib(pid, "VmHWM")
    started = time.monotonic()
    response = httpx.post(f"{intake.url}/concerns", content=zeros(50), headers=headers, timeout=30)
    elapsed = time.monotonic() - started
    after, peak_after = rss_kib(pid), rss_kib(pid, "VmHWM")
    assert_problem(response, status, who)
    print(
        f"\n{who}: {status} after {elapsed:.3f}s; RSS {before} -> {after} KiB, peak {peak_before} -> {peak_after} KiB"
    )
    assert elapsed < 5, "refused long before 50 MB could have been read"
    assert after - before < 8 * 1024 and peak_after - peak_before < 8 * 1024, "the service did not grow"
    assert httpx.get(f"{intake.url}/healthz").status_code == 200


@pytest.mark.parametrize(
    ("service", "method", "path"),
    [
        ("intake", "POST", "/concerns"),
        ("matching", "POST", "/volunteers"),
        ("scheduling", "PUT", "/sites/franztreff"),
        ("reporting", "POST", "/counts"),  # no route takes a body here: the public limit answers
    ],
)
def test_a_300_mb_upload_with_its_length_declared_gets_413_at_once_from_every_service(
    city: City, service: str, method: str, path: str
) -> None:
    headers = {"Content-Type": "application/json", "Content-Length": str(300 * 1024 * 1024)}
    headers.update(city.tokens.headers("admin", "coordinator", "team_staff", team="team-innenstadt"))
    started = time.monotonic()
    response = httpx.request(method, f"{city.url(service)}{path}", content=zeros(300), headers=headers, timeout=30)
    assert_problem(response, 413, service)
    assert time.monotonic() - started < 5, "refused by its Content-Length, before the body"


def test_a_client_correlation_id_reaches_the_stream_only_as_a_uuid(city: City) -> None:
    with city.client("matching", "coordinator") as matching:
        volunteer = {"display_name": "Renate K.", "quarter_id": "innenstadt-sued", "skills": ["shopping"]}
        personal = matching.post(
            "/volunteers", json=volunteer, headers={"X-Correlation-ID": "Hildegard Schroeder 0340 7654321"}
        )
        upper = "3F2504E0-4F89-41D3-9A0C-0305E82C3301"
        chosen = matching.post("/volunteers", json=volunteer, headers={"X-Correlation-ID": upper})
    assert personal.status_code == chosen.status_code == 201
    generated = personal.headers["x-correlation-id"]
    assert str(uuid.UUID(generated)) == generated
    assert chosen.headers["x-correlation-id"] == upper.lower()

    def correlation_ids() -> set[str] | None:
        messages = read_stream(city.nats.url, "QN_MATCHING")
        registered = [m for m in messages if m.headers.get("ce-type") == "qn.matching.volunteer.registered.v1"]
        ids = {m.headers.get("ce-correlationid", "") for m in registered}
        return ids if {generated, upper.lower()} <= ids else None

    eventually(correlation_ids, what="both registrations on QN_MATCHING with their correlation ids")
    for message in read_stream(city.nats.url, "QN_MATCHING"):
        assert "7654321" not in json.dumps(message.headers) and "Hildegard" not in json.dumps(message.headers)
    assert "7654321" not in city.services["matching"].log_path.read_text()


def test_a_normal_start_leaves_no_traceback_in_any_log(city: City) -> None:
    idle = IDLE_SECONDS - (time.monotonic() - city.started_at)  # type: ignore[attr-defined]
    if idle > 0:
        time.sleep(idle)  # consumers poll empty streams meanwhile: that must be quiet
    for service in SERVICES:
        lines = city.services[service].log_path.read_text(errors="replace").splitlines()
        assert lines, f"{service} logged its start"
        stray = [line for line in lines if not line.startswith("{")]
        assert not stray, f"{service}: lines outside the JSON log:\n" + "\n".join(stray[:20])
        records = [json.loads(line) for line in lines]
        failures = [
            r for r in records if "exception" in r or "exc_info" in r or r.get("level") in ("error", "critical")
        ]
        assert not failures, f"{service}: {failures[:3]}"
