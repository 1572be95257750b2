"""The address only after acceptance, end to end (decision 0013): intake and matching as real
processes on a real broker. Before accepting, the volunteer sees kind, quarter and time -- no
name, no address; after accepting, they read first name, address and phone from intake with their
own token; nobody else does, and once the task is over, neither do they."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qn_testkit.auth import Tokens
from qn_testkit.city import City, start_city, stop_city
from qn_testkit.databases import DatabaseFactory
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.e2e

PERSON = {
    "given_name": "Irmgard",
    "family_name": "Zeisig",
    "birth_year": 1936,
    "phone": "0340 2233445",
    "address": {"street": "Franzstraße", "house_number": "147", "postcode": "06842"},
}


@pytest.fixture
def city(databases: DatabaseFactory, tokens: Tokens, tmp_path: Path) -> Iterator[City]:
    """Intake and matching only: scheduling and reporting play no part here."""
    running = start_city(databases, tokens, tmp_path, only=("intake", "matching"))
    try:
        yield running
    finally:
        stop_city(running)


def register(city: Any, name: str, account: str, quarter_id: str) -> dict[str, Any]:
    with city.client("matching", "coordinator", subject="carla.coordinator") as matching:
        registered = matching.post(
            "/volunteers",
            json={
                "display_name": name,
                "quarter_id": quarter_id,
                "skills": ["company"],
                "languages": ["de"],
                "availability": [{"weekday": "tu", "starts": "10:00", "ends": "12:00"}],
                "account": account,
            },
        )
        assert registered.status_code == 201, registered.text
        # company (what loneliness asks for) needs an inspected police certificate (§ 72a SGB VIII)
        seen = matching.post(
            f"/volunteers/{registered.json()['id']}/vetting",
            json={"certificate_date": "2020-01-02", "no_relevant_entry": True, "recheck_on": "2099-12-31"},
        )
        assert seen.status_code == 200, seen.text
        return registered.json()  # type: ignore[no-any-return]


def ask_for_help(city: Any, **help_wanted: Any) -> str:
    with city.client("intake", "team_staff", team="team-innenstadt") as intake:
        person = intake.post("/persons", json=PERSON)
        assert person.status_code == 201, person.text
        consent = intake.post(
            f"/persons/{person.json()['id']}/consents",
            json={"purpose": "neighbourly_help", "given_by": "person", "form": "written"},
        )
        assert consent.status_code == 201, consent.text
        recorded = intake.post(
            "/concerns",
            json={
                "channel": "phone",
                "topics": ["einsamkeit"],
                "urgency": "soon",
                "person_id": person.json()["id"],
                **help_wanted,
            },
        )
        assert recorded.status_code == 201, recorded.text
        return str(recorded.json()["help_requests"][0]["id"])


def address(city: Any, help_request_id: str, account: str) -> Any:
    with city.client("intake", "volunteer", subject=account) as intake:
        return intake.get(f"/help-requests/{help_request_id}/contact")


def test_a_volunteer_sees_the_address_only_after_accepting(city: Any) -> None:
    register(city, "Renate K.", "renate.k", "innenstadt-sued")
    register(city, "Dmitri S.", "dmitri.s", "ziebigk")  # another quarter: never asked for this one
    help_request_id = ask_for_help(city)

    def proposal() -> dict[str, Any] | None:
        with city.client("matching", "volunteer", subject="renate.k") as matching:
            found = matching.get("/volunteers/me/matches").json()
            return found[0] if found else None

    offered = eventually(proposal, what="a proposal for Renate")
    # before accepting: kind, quarter and time -- nothing of the person
    assert (offered["help_kind"], offered["quarter_id"]) == ("company", "innenstadt-sued")
    for value in (PERSON["given_name"], PERSON["family_name"], PERSON["phone"], "Franzstr"):
        assert value not in str(offered), value
    before = address(city, help_request_id, "renate.k")
    assert (before.status_code, before.json()["reason"]) == (403, "not_your_task")

    with city.client("matching", "volunteer", subject="renate.k") as matching:
        assert matching.post(f"/matches/{offered['id']}/accept").status_code == 200

    seen = eventually(
        lambda: (r := address(city, help_request_id, "renate.k")).status_code == 200 and r,
        what="Renate reads the address from intake",
    )
    assert seen.json()["given_name"] == PERSON["given_name"]
    assert seen.json()["address"] == PERSON["address"] and seen.json()["phone"] == PERSON["phone"]
    assert PERSON["family_name"] not in seen.text

    other = address(city, help_request_id, "dmitri.s")
    assert (other.status_code, other.json()["reason"]) == (403, "not_your_task")
    with city.client("intake", "coordinator", subject="carla.coordinator") as intake:
        assert intake.get(f"/help-requests/{help_request_id}/contact").status_code == 403
        audit = intake.get("/audit", params={"actor": "renate.k"}).json()["entries"]
    assert [(e["purpose"], e["actor_roles"]) for e in audit] == [("neighbourly_help", ["volunteer"])]

    with city.client("matching", "volunteer", subject="renate.k") as matching:
        done = matching.post(f"/matches/{offered['id']}/complete", json={"hours": "1.5"})
        assert done.status_code == 200, done.text
    # done is done: the address closes before a coordinator has looked at the hours
    after = eventually(
        lambda: (r := address(city, help_request_id, "renate.k")).status_code == 403 and r,
        what="the address refused again once the task is marked done",
    )
    assert after.json()["reason"] == "task_ended"
    with city.client("matching", "coordinator", subject="carla.coordinator") as matching:
        [entry] = matching.get(f"/matches/{offered['id']}/hours").json()["entries"]
        assert entry["status"] == "submitted"
        assert matching.post(f"/hours/{entry['id']}/approve").status_code == 200
    assert address(city, help_request_id, "renate.k").json()["reason"] == "task_ended"


TUESDAYS = {"weekday": "tu", "starts": "10:00", "ends": "11:30"}


def test_weekly_help_asked_for_in_intake_keeps_its_volunteer_and_the_address_until_the_series_ends(
    city: Any,
) -> None:
    register(city, "Renate K.", "renate.k", "innenstadt-sued")  # free on Tuesdays 10:00-12:00
    help_request_id = ask_for_help(city, weekly_slot=TUESDAYS)

    def in_matching() -> dict[str, Any] | None:
        with city.client("matching", "coordinator", subject="carla.coordinator") as matching:
            found = matching.get(f"/help-requests/{help_request_id}")
            return found.json() if found.status_code == 200 and found.json()["matches"] else None

    request = eventually(in_matching, what="the weekly help request proposed in matching")
    assert request["weekly_slot"] == TUESDAYS, "the slot entered in intake is the one matching proposes for"
    [offered] = request["matches"]
    with city.client("matching", "volunteer", subject="renate.k") as matching:
        assert matching.post(f"/matches/{offered['id']}/accept").status_code == 200
    eventually(lambda: address(city, help_request_id, "renate.k").status_code == 200, what="Renate reads the address")

    # a week of help logged and approved: the series goes on, and so does the address
    with city.client("matching", "volunteer", subject="renate.k") as matching:
        assert matching.post(f"/matches/{offered['id']}/hours", json={"hours": "1.5"}).status_code == 201
    with city.client("matching", "coordinator", subject="carla.coordinator") as matching:
        [entry] = matching.get(f"/matches/{offered['id']}/hours").json()["entries"]
        assert matching.post(f"/hours/{entry['id']}/approve").status_code == 200
        assert matching.get(f"/matches/{offered['id']}").json()["status"] == "accepted"
    assert address(city, help_request_id, "renate.k").status_code == 200

    # the series ends: from then on the address is refused
    with city.client("matching", "volunteer", subject="renate.k") as matching:
        assert matching.post(f"/matches/{offered['id']}/complete", json={}).status_code == 200
    ended = eventually(
        lambda: (r := address(city, help_request_id, "renate.k")).status_code == 403 and r,
        what="the address refused once the weekly help has ended",
    )
    assert ended.json()["reason"] == "task_ended"
