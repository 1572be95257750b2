"""Matching, scheduling and reporting, fuzzed from their own OpenAPI documents as real processes
with every check schemathesis has (intake's fuzz test lives with intake): whatever a client sends,
no request produces a server error, every answer is documented (status, content type, body),
valid data is accepted and invalid data refused."""

from __future__ import annotations

import httpx
import pytest

from qn_testkit.fuzzing import Exclusions, failures
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.e2e

SUBJECT = "fuzz-renate"
"""The token's subject is also a volunteer's login, so that /volunteers/me/matches has an answer."""

# Where "valid by the schema" cannot mean "accepted": the schema cannot know the city's
# configuration or the data at run time, nor relate two fields or two query parameters.
NOT_POSITIVE = "positive_data_acceptance"
CITY = "values only the city's configuration knows at run time"
PERIOD = (
    "a period whose 'to' lies before its 'from' is refused (422), which a schema of two separate query "
    "parameters cannot say"
)
OFFER = (
    "an RFC 5545 rule with an end that yields occurrences (a grammar JSON Schema cannot hold), a room of "
    f"the site and topics of the city ({CITY}), times within the opening hours (data), not in the past "
    "(the service's clock), whole numbers where JSON Schema's integer also admits 30.0"
)
WEEK = f"an ISO week that exists (no week 53 in most years) and a quarter and topic of the city ({CITY})"
EXCLUSIONS: dict[str, Exclusions] = {
    "matching": {
        "POST /volunteers": {
            NOT_POSITIVE: f"{CITY} (the quarter; each skill from the city's list); a weekly window must end "
            "after it starts, which JSON Schema cannot say across two fields"
        },
        "POST /volunteers/applications": {
            NOT_POSITIVE: f"{CITY} (the quarter; each skill from the city's list); a weekly window must end "
            "after it starts and a distance reach names its kilometres, which JSON Schema cannot say across fields; "
            "and a body over the public limit (4 KiB) is refused with 413",
            "negative_data_rejection": "a body over the public limit (4 KiB) is refused with 413 before it is "
            "validated, whatever it holds",
        },
        "PATCH /volunteers/{volunteer_id}": {
            NOT_POSITIVE: f"{CITY} (each skill from the city's list); a weekly window must end after it starts and "
            "a distance reach names its kilometres, which JSON Schema cannot say across fields"
        },
        "POST /volunteers/{volunteer_id}/status": {
            NOT_POSITIVE: "archiving (status inactive) needs its archive_reason and no other status takes one, "
            "which JSON Schema cannot say across two fields"
        },
        "POST /volunteers/{volunteer_id}/absences": {
            NOT_POSITIVE: "the end must not be before the start (two fields) nor in the past (the service's clock)"
        },
        "POST /volunteers/{volunteer_id}/vetting": {
            NOT_POSITIVE: "the certificate cannot be dated after today (the service's clock), and the re-check "
            "must follow the certificate's date (two fields)"
        },
        "PUT /matches/{match_id}/appointment": {
            NOT_POSITIVE: "an appointment lies ahead (the service's clock) and ends after it starts, within a day "
            "(two fields), on an accepted task (data)"
        },
        "POST /help-requests/{help_request_id}/assign": {
            NOT_POSITIVE: "the volunteer must meet the request's hard rules, and a soft rule they fail needs its "
            "override, and the request must still be open (data)"
        },
        "POST /help-requests/{help_request_id}/offers": {
            NOT_POSITIVE: "2 to 10 different volunteers (items of one list), each meeting the request's hard rules, "
            "a soft rule they fail overridden, for a request still open (data)"
        },
    },
    "scheduling": {
        "PUT /sites/{site_id}": {
            NOT_POSITIVE: f"{CITY} (the quarter, the carrier); room ids unique within the site and opening windows "
            "that close after they open and do not overlap, which JSON Schema cannot say across items and fields"
        },
        "POST /sites/{site_id}/rooms/{room_id}/bookings": {
            NOT_POSITIVE: "the end must follow the start (two fields), the booking must lie within the site's "
            f"opening hours (data) and be for an organisation of the city ({CITY})"
        },
        "GET /sites/{site_id}/bookings": {
            NOT_POSITIVE: f"{PERIOD}; 'from' defaults to today (the service's clock), and the days must exist "
            "(no 30 February)"
        },
        "GET /offers/{offer_id}/occurrences": {NOT_POSITIVE: PERIOD},
        "POST /sites/{site_id}/offers/preview": {NOT_POSITIVE: OFFER},
        "POST /sites/{site_id}/offers": {NOT_POSITIVE: OFFER},
        "PATCH /offers/{offer_id}": {NOT_POSITIVE: OFFER},
        "POST /occurrences/{occurrence_id}/move": {
            NOT_POSITIVE: "the end must follow the start (two fields) within the site's opening hours (data), "
            "not in the past (the service's clock)"
        },
        "POST /occurrences/{occurrence_id}/attendance": {
            NOT_POSITIVE: "counts are whole numbers (JSON Schema's integer also admits 30.0), the parts add up "
            "to the whole (several fields), and only once the occurrence has begun (the service's clock)"
        },
        "POST /sites/{site_id}/rooms/{room_id}/requests": {
            NOT_POSITIVE: "the end must follow the start (two fields), every slot of the series within the site's "
            "opening hours (data) and not in the past (the service's clock), for an organisation of the city "
            f"({CITY})"
        },
        "POST /occurrences/{occurrence_id}/registrations": {
            NOT_POSITIVE: "no more places than the offer has (data), before the occurrence begins (the service's "
            "clock)"
        },
        "POST /sites/{site_id}/rooms/{room_id}/waitlist": {
            NOT_POSITIVE: "the end must follow the start (two fields), within opening hours (data), at a time "
            f"the room is taken (data), for an organisation of the city ({CITY})"
        },
        "GET /programme": {NOT_POSITIVE: WEEK},
        "GET /sites/{site_id}/programme": {NOT_POSITIVE: WEEK},
    },
    "reporting": {
        "GET /counts": {NOT_POSITIVE: PERIOD},
        "GET /sums": {NOT_POSITIVE: PERIOD},
        "GET /tables/{metric}": {
            NOT_POSITIVE: "details=true only for a metric that has details (channels, kinds): refused (422, naming "
            "'details') for the others, which a schema of a path and a query parameter cannot say"
        },
    },
}


def volunteer(name: str, **extra: object) -> dict[str, object]:
    return {
        "display_name": name,
        "quarter_id": "innenstadt-sued",
        "skills": ["company", "shopping"],
        "languages": ["de"],
        "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
        **extra,
    }


def help_requests(city, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Concerns of a person who consented to neighbourly help, each asking for company."""
    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        person = intake.post(
            "/persons", json={"family_name": "Albrecht", "address": {"street": "Franzstr.", "house_number": "147"}}
        ).json()
        intake.post(
            f"/persons/{person['id']}/consents",
            json={"purpose": "neighbourly_help", "given_by": "person", "form": "verbal"},
        ).raise_for_status()
        concerns = [
            intake.post(
                "/concerns",
                json={"channel": "walk_in", "topics": ["einsamkeit"], "urgency": "soon", "person_id": person["id"]},
            ).json()
            for _ in range(count)
        ]
    return [concern["help_requests"][0]["id"] for concern in concerns]


def seeded_ids(city) -> dict[str, dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    """Things that exist in each service, by path parameter name: random ids alone would only
    ever reach the 404 branch. Matching gets proposals, one of them accepted."""
    with city.client("matching", "coordinator") as matching:
        volunteers = [
            matching.post("/volunteers", json=volunteer("Renate K.", account=SUBJECT)).json()["id"],
            matching.post("/volunteers", json=volunteer("Dmitri S.")).json()["id"],
        ]
        for volunteer_id in volunteers:  # company needs an inspected police certificate
            seen = matching.post(
                f"/volunteers/{volunteer_id}/vetting",
                json={"certificate_date": "2020-01-02", "no_relevant_entry": True, "recheck_on": "2099-12-31"},
            )
            assert seen.status_code == 200, seen.text
    requests = help_requests(city, 2)
    with city.client("matching", "coordinator") as matching:

        def proposed() -> list[dict[str, str]] | None:
            found = [matching.get(f"/help-requests/{r}") for r in requests]
            matches = [m for r in found if r.status_code == 200 for m in r.json()["matches"]]
            return matches if len(matches) == len(requests) else None

        matches = eventually(proposed, what="a proposal for each help request")
        matching.post(f"/matches/{matches[0]['id']}/accept").raise_for_status()
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
        # far ahead, so that a room the fuzzer leaves out of the site is still in use (409)
        booking = scheduling.post(
            "/sites/franztreff/rooms/gruppe/bookings",
            json={"starts_at": "2030-12-03T10:00:00+01:00", "ends_at": "2030-12-03T11:00:00+01:00", "title": "Kaffee"},
        ).json()
    return {
        "matching": {"volunteer_id": volunteers, "help_request_id": requests, "match_id": [m["id"] for m in matches]},
        "scheduling": {"site_id": ["franztreff"], "room_id": ["gruppe"], "booking_id": [booking["id"]]},
        "reporting": {},
    }


def test_no_generated_request_to_matching_scheduling_or_reporting_gets_an_answer_the_api_does_not_document(
    city,
) -> None:
    known = seeded_ids(city)
    headers = city.tokens.headers(
        "admin", "coordinator", "committee", "team_staff", "volunteer", team="team-innenstadt", subject=SUBJECT
    )
    report = []
    for service in ("matching", "scheduling", "reporting"):
        operations, found = failures(
            city.url(service), headers, known[service], examples=20, exclusions=EXCLUSIONS[service], negative=True
        )
        assert operations >= 3, f"{service} lists its routes"
        report += [f"{service}: {failure}" for failure in found]
    logs = "\n".join(f"{name}:\n{city.services[name].tail(20)}" for name in ("matching", "scheduling", "reporting"))
    assert not report, "\n\n".join(report) + "\n\nservice logs:\n" + logs
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
