"""The four services as real processes, used the way people use them."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from qn_testkit.days import BERLIN
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.e2e


def vetted(matching, volunteer_id: str) -> None:  # type: ignore[no-untyped-def]
    """Records an inspected police certificate: company (what loneliness asks for) needs one. The
    dates hold whatever day the services think it is."""
    seen = matching.post(
        f"/volunteers/{volunteer_id}/vetting",
        json={"certificate_date": "2020-01-02", "no_relevant_entry": True, "recheck_on": "2099-12-31"},
    )
    assert seen.status_code == 200, seen.text


def concerns_counted(city, quarter_id: str) -> int:  # type: ignore[no-untyped-def]
    with city.client("reporting", "admin") as reporting:
        response = reporting.get(
            "/counts", params={"metric": "concern.recorded", "quarter_id": quarter_id, "topic": "*"}
        )
        response.raise_for_status()
        return int(response.json()["total"])


def test_help_asked_for_in_intake_is_proposed_accepted_and_given_and_the_team_sees_each_step(city) -> None:
    """The whole loop: intake asks, matching proposes, the volunteer accepts and logs the hours, a
    coordinator approves them, reporting counts the concern -- and the team sees in intake what
    became of its request."""
    with city.client("matching", "coordinator") as matching:
        registered = matching.post(
            "/volunteers",
            json={
                "display_name": "Renate K.",
                "quarter_id": "innenstadt-sued",
                "skills": ["company", "shopping"],
                "languages": ["de"],
                "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
                "account": "renate.k",
            },
        )
        assert registered.status_code == 201, registered.text
        volunteer_id = registered.json()["id"]
        vetted(matching, volunteer_id)

    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        person = intake.post(
            "/persons", json={"family_name": "Albrecht", "address": {"street": "Franzstr.", "house_number": "147"}}
        )
        assert person.status_code == 201, person.text
        consent = intake.post(
            f"/persons/{person.json()['id']}/consents",
            json={"purpose": "neighbourly_help", "given_by": "person", "form": "verbal"},
        )
        assert consent.status_code == 201, consent.text
        recorded = intake.post(
            "/concerns",
            json={"channel": "walk_in", "topics": ["einsamkeit"], "urgency": "soon", "person_id": person.json()["id"]},
        )
        assert recorded.status_code == 201, recorded.text
        concern_id = recorded.json()["id"]
        help_request_id = recorded.json()["help_requests"][0]["id"]

    def in_intake() -> dict:  # type: ignore[type-arg]
        with city.client("intake", "team_staff", team="team-innenstadt") as intake:
            [request] = intake.get(f"/concerns/{concern_id}").json()["help_requests"]
            return request  # type: ignore[no-any-return]

    eventually(lambda: concerns_counted(city, "innenstadt-sued") == 1, what="reporting counts the concern")

    def proposal() -> dict | None:  # type: ignore[type-arg]
        with city.client("matching", "volunteer", subject="renate.k") as matching:
            found = matching.get("/volunteers/me/matches").json()
            return found[0] if found else None

    offered = eventually(proposal, what="a proposal for the volunteer")
    assert (offered["volunteer_id"], offered["help_request_id"]) == (volunteer_id, help_request_id)
    with city.client("matching", "volunteer", subject="renate.k") as matching:
        assert matching.post(f"/matches/{offered['id']}/accept").status_code == 200
    assert eventually(lambda: in_intake()["status"] == "matched", what="intake sees the help arranged")

    with city.client("matching", "volunteer", subject="renate.k") as matching:
        done = matching.post(f"/matches/{offered['id']}/complete", json={"hours": "1.5"})
        assert done.status_code == 200, done.text
    with city.client("matching", "coordinator") as matching:  # the hours count once approved
        [entry] = matching.get(f"/matches/{offered['id']}/hours").json()["entries"]
        assert matching.post(f"/hours/{entry['id']}/approve").status_code == 200
    given = eventually(lambda: (r := in_intake())["status"] == "completed" and r, what="intake sees the help given")
    assert float(given["hours"]) == 1.5


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
        # the services run as processes on the system clock and refuse bookings in the past: a
        # fixed Tuesday far ahead, so that the test passes on any day (no booking horizon applies)
        tuesday = date(2099, 6, 2)
        slot = {
            "starts_at": datetime.combine(tuesday, time(10), BERLIN).isoformat(),
            "ends_at": datetime.combine(tuesday, time(12), BERLIN).isoformat(),
            "title": "Schuldnerberatung",
        }
        first = scheduling.post("/sites/franztreff/rooms/beratung-2/bookings", json=slot)
        assert first.status_code == 201, first.text
        second = scheduling.post(
            "/sites/franztreff/rooms/beratung-2/bookings",
            json={
                **slot,
                "starts_at": datetime.combine(tuesday, time(11), BERLIN).isoformat(),
                "title": "Suchtberatung",
            },
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
        vetted(matching, volunteer.json()["id"])

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
