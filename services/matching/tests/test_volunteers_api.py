"""Registering volunteers over HTTP, as a drop-in coordinator does it."""

from __future__ import annotations

import tomllib

import pytest

from qn_testkit.services import REPO

pytestmark = pytest.mark.integration


def test_a_registered_volunteer_is_active_and_read_back_with_a_pseudonymous_reference(matching) -> None:
    created = matching.client.post(
        "/volunteers",
        json=matching.body("Renate K.", languages=["de", "ru"], account="renate.k"),
        headers=matching.coordinator(),
    )
    assert created.status_code == 201, created.text
    volunteer = created.json()
    assert volunteer["status"] == "active"
    assert volunteer["volunteer_ref"] != volunteer["id"]
    read = matching.client.get(created.headers["Location"], headers=matching.coordinator())
    assert read.status_code == 200
    assert read.json()["display_name"] == "Renate K."
    assert read.json()["availability"] == [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}]


def test_registration_is_announced_without_name_or_contact(matching) -> None:
    volunteer = matching.register("Renate K.", contact="renate@example.org, 0340 555 01 23", languages=["de", "uk"])
    [message] = matching.wait_for_event("qn.matching.volunteer.registered.v1", volunteer_ref=volunteer["volunteer_ref"])
    assert message.body == {
        "volunteer_ref": volunteer["volunteer_ref"],
        "quarter_id": "innenstadt-sued",
        "skills": ["shopping"],
        "languages": ["de", "uk"],
        "status": "active",
    }
    assert "Renate" not in str(message.headers) and "0340" not in str(message.headers)


def test_a_time_window_that_ends_before_it_starts_is_refused_naming_the_window(matching) -> None:
    body = matching.body(
        "Olaf B.",
        availability=[
            {"weekday": "mo", "starts": "09:00", "ends": "11:00"},
            {"weekday": "we", "starts": "14:00", "ends": "13:30"},
        ],
    )
    response = matching.client.post("/volunteers", json=body, headers=matching.coordinator())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "availability.1.ends"
    assert "13:30" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"skills": []}, "skills"),
        ({"skills": ["Shopping"]}, "skills.0"),
        ({"skills": ["shopping", "juggling"]}, "skills.1"),
        ({"quarter_id": "atlantis"}, "quarter_id"),
        ({"languages": ["deu"]}, "languages.0"),
        ({"availability": [{"weekday": "monday", "starts": "10:00", "ends": "12:00"}]}, "availability.0.weekday"),
        ({"availability": [{"weekday": "mo", "starts": "25:00", "ends": "26:00"}]}, "availability.0.starts"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
    ],
)
def test_invalid_registrations_get_422_naming_the_field(matching, overrides: dict, field: str) -> None:
    response = matching.client.post(
        "/volunteers", json=matching.body("Olaf B.", **overrides), headers=matching.coordinator()
    )
    assert response.status_code == 422, response.text
    assert field in {e["field"] for e in response.json()["errors"]}


def test_errors_are_german_by_default_and_english_on_request(matching) -> None:
    body = matching.body("Olaf B.", skills=["juggling"])
    german = matching.client.post("/volunteers", json=body, headers=matching.coordinator())
    english = matching.client.post(
        "/volunteers", json=body, headers={**matching.coordinator(), "Accept-Language": "en"}
    )
    assert german.json()["detail"].startswith("Fähigkeit 'juggling' gibt es nicht")
    assert english.json()["detail"].startswith("Unknown skill 'juggling'")


def test_one_login_can_belong_to_one_volunteer_only(matching) -> None:
    matching.register("Renate K.", account="renate.k")
    again = matching.client.post(
        "/volunteers", json=matching.body("Renate K.", account="renate.k"), headers=matching.coordinator()
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "account"


def test_volunteers_are_listed_per_quarter_in_registration_order(matching) -> None:
    first = matching.register("Renate K.")
    matching.register("Dmitri S.", quarter_id="rosslau")
    third = matching.register("Aylin T.")
    listed = matching.client.get(
        "/volunteers", params={"quarter_id": "innenstadt-sued"}, headers=matching.coordinator()
    )
    assert [v["id"] for v in listed.json()] == [first["id"], third["id"]]


def test_volunteers_and_residents_cannot_register_or_list_volunteers(matching) -> None:
    as_volunteer = matching.client.post("/volunteers", json=matching.body("X."), headers=matching.volunteer("someone"))
    as_staff = matching.client.get("/volunteers", headers=matching.tokens.headers("team_staff"))
    anonymous = matching.client.get("/volunteers")
    assert as_volunteer.status_code == 403 and "coordinator" in as_volunteer.json()["required_roles"]
    assert as_staff.status_code == 403
    assert anonymous.status_code == 401


def test_a_paused_volunteer_can_be_reactivated_but_not_paused_twice(matching) -> None:
    volunteer = matching.register("Renate K.")
    url = f"/volunteers/{volunteer['id']}/status"
    paused = matching.client.post(url, json={"status": "paused"}, headers=matching.coordinator())
    again = matching.client.post(url, json={"status": "paused"}, headers=matching.coordinator())
    active = matching.client.post(url, json={"status": "active"}, headers=matching.coordinator())
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert again.status_code == 409 and again.json()["current_status"] == "paused"
    assert active.json()["status"] == "active"
    [changed] = matching.wait_for_event("qn.matching.volunteer.status_changed.v1", to_status="paused")
    assert changed.body["volunteer_ref"] == volunteer["volunteer_ref"] and changed.body["from_status"] == "active"


def test_an_unknown_volunteer_is_404(matching) -> None:
    response = matching.client.get("/volunteers/1c9e6f3a-8b7d-4e2f-a1b0-c9d8e7f6a5b4", headers=matching.coordinator())
    assert response.status_code == 404
    assert response.json()["code"] == "volunteer_not_found"


def test_every_demo_volunteer_registers_as_the_loader_posts_it(matching) -> None:
    entries = tomllib.loads((REPO / "deploy" / "demo-city" / "volunteers.toml").read_text(encoding="utf-8"))[
        "volunteers"
    ]
    quarters = set()
    for entry in entries:
        response = matching.client.post("/volunteers", json=entry, headers=matching.coordinator())
        assert response.status_code == 201, (entry["display_name"], response.text)
        quarters.add(response.json()["quarter_id"])
    assert 10 <= len(entries) <= 14
    assert quarters == {"innenstadt-sued", "innenstadt-mitte", "innenstadt-nord", "rosslau", "ziebigk"}


def test_a_time_written_with_other_digits_is_refused_naming_the_window_not_a_server_error(matching) -> None:
    """'\\d' also matches Arabic-Indic digits, which the time parser then refused with a 500."""
    body = matching.body("Olaf B.", availability=[{"weekday": "mo", "starts": "1\u0660:00", "ends": "12:00"}])
    response = matching.client.post("/volunteers", json=body, headers=matching.coordinator())
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "availability.0.starts"


def test_prospective_cannot_be_set_and_the_422_lists_the_statuses_that_can(matching) -> None:
    volunteer = matching.register("Renate K.")
    response = matching.client.post(
        f"/volunteers/{volunteer['id']}/status", json={"status": "prospective"}, headers=matching.coordinator()
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "status",
            "message": "Ungültiger Wert; erlaubt: 'approved', 'active', 'paused', 'inactive' oder 'denied'.",
        }
    ]


def test_a_login_without_a_volunteer_record_gets_404_as_the_api_documents(matching) -> None:
    response = matching.client.get("/volunteers/me/matches", headers=matching.volunteer("nobody"))
    documented = matching.client.get("/openapi.json").json()["paths"]["/volunteers/me/matches"]["get"]["responses"]
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "account"
    assert "application/problem+json" in documented["404"]["content"]
