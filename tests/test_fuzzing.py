"""Matching, scheduling and reporting, fuzzed from their own OpenAPI documents as real processes
(intake's fuzz test lives with intake): no generated request may produce a server error."""

from __future__ import annotations

import httpx
import pytest

from qn_testkit.fuzzing import server_errors

pytestmark = pytest.mark.e2e


def seeded_ids(city) -> dict[str, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """Things that exist in each service, by path parameter name."""
    with city.client("matching", "coordinator") as matching:
        volunteer = matching.post(
            "/volunteers",
            json={
                "display_name": "Renate K.",
                "quarter_id": "innenstadt-sued",
                "skills": ["shopping"],
                "languages": ["de"],
                "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
            },
        ).json()
    with city.client("scheduling", "coordinator") as scheduling:
        scheduling.put(
            "/sites/franztreff",
            json={
                "name": "Franztreff",
                "quarter_id": "innenstadt-sued",
                "rooms": [{"room_id": "gruppe", "name": "Gruppenraum", "kind": "group", "capacity": 12}],
                "opening_hours": [{"weekday": "tu", "opens": "09:00", "closes": "17:00"}],
            },
        ).raise_for_status()
        booking = scheduling.post(
            "/sites/franztreff/rooms/gruppe/bookings",
            json={"starts_at": "2026-12-01T10:00:00+01:00", "ends_at": "2026-12-01T11:00:00+01:00", "title": "Kaffee"},
        ).json()
    return {
        "matching": {"volunteer_id": [volunteer["id"]]},
        "scheduling": {"site_id": ["franztreff"], "room_id": ["gruppe"], "booking_id": [booking["id"]]},
        "reporting": {},
    }


def test_no_generated_request_to_matching_scheduling_or_reporting_gets_a_server_error(city) -> None:
    known = seeded_ids(city)
    headers = city.tokens.headers("admin", "coordinator", "committee", "team_staff", team="team-innenstadt")
    report = []
    for service in ("matching", "scheduling", "reporting"):
        operations, failures = server_errors(city.url(service), headers, known[service], examples=20)
        assert operations >= 3, f"{service} lists its routes"
        report += [f"{service}: {failure}" for failure in failures]
    assert not report, "server errors:\n" + "\n\n".join(report)
    assert httpx.get(f"{city.url('reporting')}/healthz").status_code == 200


def test_the_nul_character_is_refused_by_every_service_naming_the_field(city) -> None:
    """PostgreSQL cannot store NUL: refused up front, the same on every backend, never a 500."""
    body = b'{"display_name": "Re\\u0000nate", "quarter_id": "innenstadt-sued", "skills": ["shopping"]}'
    answers = {}
    for service, path in (("matching", "/volunteers"), ("intake", "/concerns"), ("scheduling", "/sites/x")):
        with city.client(service, "admin", "coordinator", "team_staff", team="team-innenstadt") as client:
            method = client.put if service == "scheduling" else client.post
            answers[service] = method(path, content=body, headers={"content-type": "application/json"})
    for service, response in answers.items():
        assert response.status_code == 422, f"{service}: {response.text}"
        assert response.json()["errors"][0]["field"] == "display_name"
