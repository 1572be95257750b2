"""The intake API, fuzzed from its own OpenAPI document: whatever a client sends -- valid,
half-valid or garbage -- no request may produce a server error. The service runs as a real
process with its own database and a real broker; requests go over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qn_infra.embedded_broker import NatsServer
from qn_testkit.auth import Tokens
from qn_testkit.databases import DatabaseFactory
from qn_testkit.fuzzing import server_errors
from qn_testkit.services import REPO, ServiceProcess

pytestmark = pytest.mark.integration


@pytest.fixture
def intake_process(
    databases: DatabaseFactory, nats_server: NatsServer, tokens: Tokens, tmp_path: Path
) -> Iterator[ServiceProcess]:
    process = ServiceProcess(
        "intake",
        settings={
            "database_url": databases.create("intake"),
            "nats_url": nats_server.url,
            "auth_jwks_file": tokens.jwks_file,
            "data_dir": tmp_path,
            "city_dir": REPO / "deploy" / "demo-city",
        },
        log_dir=tmp_path,
    ).start()
    yield process
    process.stop()


def real_ids(url: str, headers: dict[str, str]) -> dict[str, list[str]]:
    """Ids of things that exist, by path parameter name: random UUIDs alone would only ever reach
    the 404 branch of routes like /concerns/{concern_id}/close."""
    concern = httpx.post(
        f"{url}/concerns",
        json={
            "channel": "phone",
            "topics": ["schulden", "einsamkeit"],
            "urgency": "soon",
            "quarter_id": "innenstadt-sued",
        },
        headers=headers,
    ).json()
    ids: dict[str, list[str]] = {"concern_id": [concern["id"]]}
    ids["referral_id"] = [r["id"] for r in concern["referrals"]]
    return {name: values for name, values in ids.items() if values}


def test_no_generated_request_gets_a_server_error(intake_process: ServiceProcess, tokens: Tokens) -> None:
    headers = tokens.headers("admin", "coordinator", "team_staff", team="team-innenstadt", org="awo-dessau")
    operations, failures = server_errors(intake_process.url, headers, real_ids(intake_process.url, headers))
    assert operations >= 30, "the OpenAPI document lists the intake routes"
    assert not failures, "server errors:\n" + "\n\n".join(failures) + "\n\nservice log:\n" + intake_process.tail(30)
