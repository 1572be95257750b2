"""The four services as real processes, used the way people use them."""

from __future__ import annotations

import pytest

from qn_testkit.waiting import eventually

pytestmark = pytest.mark.e2e


def concerns_counted(city, quarter_id: str) -> int:  # type: ignore[no-untyped-def]
    with city.client("reporting", "committee") as reporting:
        response = reporting.get(
            "/counts", params={"metric": "concern.recorded", "quarter_id": quarter_id, "topic": "*"}
        )
        response.raise_for_status()
        return int(response.json()["total"])


def test_a_concern_recorded_over_http_is_counted_by_reporting_and_gets_a_proposed_volunteer(city) -> None:
    with city.client("matching", "coordinator") as matching:
        registered = matching.post(
            "/volunteers",
            json={
                "display_name": "Renate K.",
                "quarter_id": "innenstadt-sued",
                "skills": ["company", "shopping"],
                "languages": ["de"],
                "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
            },
        )
        assert registered.status_code == 201, registered.text
        volunteer_id = registered.json()["id"]

    with city.client("intake", "team_staff") as intake:
        recorded = intake.post(
            "/concerns",
            json={
                "channel": "walk_in",
                "topics": ["einsamkeit"],
                "urgency": "soon",
                "address": {"street": "Franzstr.", "house_number": "147"},
            },
        )
        assert recorded.status_code == 201, recorded.text
        help_request_id = recorded.json()["help_requests"][0]["id"]

    eventually(lambda: concerns_counted(city, "innenstadt-sued") == 1, what="reporting counts the concern")

    def proposed_volunteer() -> str | None:
        with city.client("matching", "coordinator") as matching:
            response = matching.get("/matches", params={"help_request_id": help_request_id})
            if response.status_code != 200:
                return None
            matches = response.json()
            items = matches["items"] if isinstance(matches, dict) else matches
            return items[0]["volunteer_id"] if items else None

    assert eventually(proposed_volunteer, what="a proposed volunteer") == volunteer_id


def test_a_booking_that_collides_names_the_other_booking(city) -> None:
    with city.client("scheduling", "coordinator") as scheduling:
        site = scheduling.put(
            "/sites/franztreff",
            json={
                "name": "Franztreff",
                "quarter_id": "innenstadt-sued",
                "carrier_id": "drk-dessau",
                "rooms": [{"room_id": "beratung-2", "name": "Beratungsraum 2", "kind": "counselling", "capacity": 4}],
                "opening_hours": [
                    {"weekday": d, "opens": "09:00", "closes": "17:00"} for d in ("mo", "tu", "we", "th", "fr")
                ],
            },
        )
        assert site.status_code in (200, 201), site.text
        slot = {
            "starts_at": "2026-12-01T10:00:00+01:00",
            "ends_at": "2026-12-01T12:00:00+01:00",
            "title": "Schuldnerberatung",
        }
        first = scheduling.post("/sites/franztreff/rooms/beratung-2/bookings", json=slot)
        assert first.status_code == 201, first.text
        second = scheduling.post(
            "/sites/franztreff/rooms/beratung-2/bookings",
            json={**slot, "starts_at": "2026-12-01T11:00:00+01:00", "title": "Suchtberatung"},
        )
    assert second.status_code == 409
    assert first.json()["id"] in second.text


def test_withdrawing_consent_to_neighbourly_help_calls_off_the_volunteers_proposal(city) -> None:
    with city.client("matching", "coordinator") as matching:
        volunteer = matching.post(
            "/volunteers",
            json={
                "display_name": "Dmitri S.",
                "quarter_id": "innenstadt-sued",
                "skills": ["company"],
                "languages": ["de", "ru"],
                "availability": [{"weekday": "we", "starts": "14:00", "ends": "17:00"}],
            },
        )
        assert volunteer.status_code == 201, volunteer.text

    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        person = intake.post(
            "/persons",
            json={
                "given_name": "Olga",
                "family_name": "Beispiel",
                "birth_year": 1938,
                "phone": "0340 111111",
                "preferred_language": "ru",
                "address": {"street": "Franzstraße", "house_number": "147"},
            },
        )
        assert person.status_code == 201, person.text
        person_id = person.json()["id"]
        consent = intake.post(
            f"/persons/{person_id}/consents",
            json={"purpose": "neighbourly_help", "given_by": "person", "form": "verbal"},
        )
        assert consent.status_code == 201, consent.text
        concern = intake.post(
            "/concerns", json={"channel": "phone", "topics": ["einsamkeit"], "urgency": "soon", "person_id": person_id}
        )
        assert concern.status_code == 201, concern.text
        help_request_id = concern.json()["help_requests"][0]["id"]

    def proposal_status() -> str | None:
        with city.client("matching", "coordinator") as matching:
            response = matching.get(f"/help-requests/{help_request_id}")
            return response.json()["status"] if response.status_code == 200 else None

    assert eventually(proposal_status, what="a proposal in matching") == "proposed"
    with city.client("matching", "coordinator") as matching:
        request = matching.get(f"/help-requests/{help_request_id}").json()
    assert request["languages"] == ["ru"], "the person's language travels with the request, not their name"

    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        withdrawn = intake.post(f"/consents/{consent.json()['id']}/withdraw")
        assert withdrawn.status_code == 200, withdrawn.text

    eventually(lambda: proposal_status() == "cancelled", what="matching calls the proposal off")
