"""The programme as Open Referral HSDS 3.0, as the city's directory would import it: validated
against HSDS 3.0's published JSON schemas (vendored in hsds_3_0/ with their licence)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from .conftest import lunch_table

pytestmark = pytest.mark.integration

SCHEMAS = Path(__file__).parent / "hsds_3_0"
BASE = "https://hsds.invalid/schema/"


def _retrieve(uri: str) -> Any:
    """HSDS's schemas name each other by file name ("location.json"): read them from the copy."""
    name = uri.rsplit("/", 1)[-1]
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def validator(name: str) -> Any:
    return jsonschema_rs.validator_for(
        _retrieve(name), retriever=_retrieve, base_uri=BASE + name, validate_formats=True
    )


def problems(name: str, record: Any) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator(name).iter_errors(record)]


@pytest.fixture
def exported(scheduling):
    assert scheduling.put_franztreff().status_code == 201
    monday = scheduling.quiet_monday()
    scheduling.offer(lunch_table(monday))
    scheduling.offer(
        lunch_table(
            monday,
            title="Schuldnerberatung",
            kind="counselling",
            org_id="caritas-dessau",
            room_id="beratung-2",
            topics=["schulden"],
            registration_required=True,
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
            starts="09:00",
            ends="12:00",
            cost="free",
        )
    )
    return scheduling


def test_every_service_is_valid_hsds_3_with_its_schedule_and_location(exported) -> None:
    answer = exported.client.get("/hsds/services")  # no token: a directory harvests it
    assert answer.status_code == 200
    page = answer.json()
    assert page["total_items"] == 2 and page["page_number"] == 1
    for service in page["contents"]:
        assert problems("service.json", service) == [], service["name"]
    by_name = {s["name"]: s for s in page["contents"]}
    lunch = by_name["Mittagstisch"]["schedules"][0]
    assert (lunch["freq"], lunch["byday"], lunch["opens_at"], lunch["closes_at"]) == (
        "WEEKLY",
        "MO,WE,FR",
        "11:00",
        "13:00",
    )
    assert lunch["until"] and "Feiertagen" in lunch["notes"]
    debt = by_name["Schuldnerberatung"]
    assert (debt["schedules"][0]["freq"], debt["schedules"][0]["byday"], debt["schedules"][0]["count"]) == (
        "MONTHLY",
        "1TU",
        6,
    )
    assert debt["organization"]["name"].startswith("Caritas Dessau")
    address = debt["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["city"], address["state_province"]) == (
        "Franzstraße 147",
        "06842",
        "Dessau-Roßlau",
        "Sachsen-Anhalt",
    )


def test_organizations_and_locations_are_valid_hsds_3(exported) -> None:
    organizations = exported.client.get("/hsds/organizations").json()["contents"]
    assert {o["name"] for o in organizations} == {
        "Dessauer Tafel e. V.",
        "Caritas Dessau – Schuldner- und Insolvenzberatung",
    }
    for organization in organizations:
        assert problems("organization.json", organization) == []
    locations = exported.client.get("/hsds/locations").json()["contents"]
    assert [loc["name"] for loc in locations] == ["Franztreff"]
    assert problems("location.json", locations[0]) == []


def test_the_schemas_do_refuse_a_record_that_is_not_hsds() -> None:
    """The validation above can fail: a service without status, with a schedule HSDS does not know."""
    broken = {"id": "not-a-uuid", "name": "X", "schedules": [{"id": "1", "freq": "HOURLY"}]}
    found = problems("service.json", broken)
    assert any("status" in p for p in found) and any("HOURLY" in p for p in found)
