"""The intake API, fuzzed from its own OpenAPI document with every check schemathesis has: whatever
a client sends -- valid, half-valid or garbage -- no request produces a server error, every answer
is documented (status, content type, body), valid data is accepted and invalid data refused. The
service runs as a real process with its own database and a real broker; requests go over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from qn_infra.embedded_broker import NatsServer
from qn_testkit.auth import Tokens
from qn_testkit.databases import DatabaseFactory
from qn_testkit.fuzzing import failures
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


CITY = "values the city's configuration holds (topics, quarters, teams, carriers)"
DIRECTORY = "an address must be in the city's street directory"

# Where "valid by the schema" cannot mean "accepted": the schema cannot know the city's
# configuration, the street directory, the records that exist, or a record's state at run time.
NOT_POSITIVE = "positive_data_acceptance"
EXCLUSIONS = {
    "POST /concerns": {NOT_POSITIVE: f"{CITY}; {DIRECTORY}; address, coordinates, quarter or person says where"},
    "POST /concerns/{concern_id}/referrals": {NOT_POSITIVE: f"{CITY}; the topic must be one of the concern's"},
    "PUT /concerns/{concern_id}/person": {NOT_POSITIVE: "the person named in the body must exist and be the team's"},
    "POST /persons": {NOT_POSITIVE: f"{CITY}; {DIRECTORY}"},
    "PATCH /persons/{person_id}": {NOT_POSITIVE: f"{CITY}; {DIRECTORY}"},
    "POST /persons/{person_id}/consents": {
        NOT_POSITIVE: f"{CITY}; a consent is given before now and expires after now (the service's clock)"
    },
    "POST /referrals/{referral_id}/status": {
        NOT_POSITIVE: "the closed loop decides which reason and decider fit which status (422 naming the field)"
    },
    "POST /referrals/{referral_id}/legal-basis": {NOT_POSITIVE: "the basis must fit the referral's target"},
    "POST /signals": {NOT_POSITIVE: f"{CITY}; {DIRECTORY}; a concern, person, address or quarter says where"},
    "GET /signals": {NOT_POSITIVE: CITY},
    "GET /follow-ups": {NOT_POSITIVE: CITY},
    "GET /queue": {NOT_POSITIVE: CITY},
    "GET /addresses/resolve": {NOT_POSITIVE: DIRECTORY},
    "GET /audit": {
        NOT_POSITIVE: "a period whose 'from' lies after its 'to' is refused (422), which a schema of "
        "separate query parameters cannot say"
    },
}


def test_no_generated_request_gets_an_answer_the_api_does_not_document(
    intake_process: ServiceProcess, tokens: Tokens
) -> None:
    headers = tokens.headers("admin", "coordinator", "team_staff", team="team-innenstadt", org="awo-dessau")
    operations, found = failures(
        intake_process.url, headers, real_ids(intake_process.url, headers), exclusions=EXCLUSIONS
    )
    assert operations >= 35, "the OpenAPI document lists the intake routes"
    assert not found, "\n\n".join(found) + "\n\nservice log:\n" + intake_process.tail(30)
