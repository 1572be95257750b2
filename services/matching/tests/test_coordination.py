"""A coordinator's own moves, as a coordinator and volunteers would make them over HTTP, against a
real broker and database: assigning by hand (hard rules hold, soft ones need an override the log
keeps), offering a request to several (the first claim wins, at the same moment too), and
continuity and recurring slots on requests that arrive on the broker. One app for the module:
each test registers its own volunteers, with a help kind or quarter nobody else's take."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from qn_infra.clock import TickingClock
from qn_infra.pseudonyms import LoginPseudonyms, ensure_pseudonym_key, load_pseudonym_key
from qn_matching.app import create_app
from qn_matching.config import MatchingSettings
from qn_testkit.days import reference_day
from qn_testkit.services import running_app
from qn_testkit.waiting import eventually

from .conftest import DEMO_CITY, Matching

pytestmark = pytest.mark.integration

CANCELLED = "qn.matching.match.cancelled.v1"


@pytest.fixture(scope="module")
def matching(module_service_settings: Any, tokens: Any) -> Iterator[Matching]:
    settings = module_service_settings(MatchingSettings, city_dir=DEMO_CITY, consumer_backoff_seconds=(0.2, 0.5))
    ensure_pseudonym_key(settings.data_dir / "keys")
    clock = TickingClock(reference_day())
    app = create_app(settings, clock=clock)
    with running_app(app, migrations_of="matching", database_url=settings.database_url) as client:
        eventually(lambda: client.get("/readyz").status_code == 200, what="matching ready")
        yield Matching(client, settings.nats_url, tokens, settings, clock)


def unmatched(matching: Matching, kind: str, quarter: str = "innenstadt-nord", **fields: Any) -> str:
    """A help request nobody can be proposed for: in the coordinator's queue."""
    event = matching.help_requested(quarter_id=quarter, help_kind=kind, skills=[kind], **fields)
    matching.publish(event)
    request = matching.help_request(event.help_request_id)
    assert request["status"] == "unmatched", request
    return str(event.help_request_id)


def test_a_coordinator_assigns_by_hand_hard_rules_hold_and_soft_ones_need_an_override(matching: Matching) -> None:
    paula = matching.register("Paula A.", account="paula.a", quarter_id="ziebigk", skills=["paperwork"])
    peter = matching.register("Peter B.", quarter_id="innenstadt-nord", skills=["shopping"])
    request_id = unmatched(matching, "paperwork")
    carla = matching.coordinator(subject="carla.coordinator")
    url = f"/help-requests/{request_id}/assign"

    wrong = matching.client.post(url, json={"volunteer_id": peter["id"]}, headers=carla)
    assert (wrong.status_code, wrong.json()["errors"][0]["field"]) == (422, "volunteer_id"), wrong.text
    assert [r["code"] for r in wrong.json()["rules"]] == ["missing_skill"]
    assert "bietet diese Hilfe" in wrong.json()["detail"]

    far = matching.client.post(url, json={"volunteer_id": paula["id"]}, headers=carla)
    assert (far.status_code, far.json()["errors"][0]["field"]) == (422, "overrides"), far.text
    assert [r["code"] for r in far.json()["rules"]] == ["out_of_reach"]

    assigned = matching.client.post(
        url, json={"volunteer_id": paula["id"], "overrides": ["out_of_reach"]}, headers=carla
    )
    assert assigned.status_code == 201, assigned.text
    task = assigned.json()
    assert (task["status"], task["via"], task["volunteer_id"]) == ("accepted", "assigned", paula["id"])
    assert (
        task["reasons"][0]["de"]
        == "von der Koordination von Hand zugeteilt, trotz: außerhalb der angegebenen Reichweite"
    )
    assert matching.client.get(f"/help-requests/{request_id}", headers=carla).json()["status"] == "matched"

    logged = matching.client.get(f"/matches/{task['id']}/log", headers=matching.volunteer("paula.a")).json()
    assert [(e["action"], e["actor"], e["on_behalf_of"], e["overrides"]) for e in logged] == [
        ("assigned", "carla.coordinator", paula["id"], ["out_of_reach"])
    ]
    [accepted] = matching.wait_for_event("qn.matching.match.accepted.v1", match_id=task["id"])
    logins = LoginPseudonyms(load_pseudonym_key(None, matching.settings.pseudonym_key_file), "quartiersnetz-local")
    # intake lets Paula read the address, and Carla, who passes it on by phone
    assert (accepted.body["volunteer_login"], accepted.body["proxy_login"]) == (
        logins.of("paula.a"),
        logins.of("carla.coordinator"),
    )
    again = matching.client.post(url, json={"volunteer_id": paula["id"], "overrides": ["out_of_reach"]}, headers=carla)
    assert (again.status_code, again.json()["code"]) == (409, "help_request_not_open")


def test_an_offer_to_several_goes_to_the_first_who_claims_it_and_is_withdrawn_from_the_others(
    matching: Matching,
) -> None:
    first, second, third = (
        matching.register(name, account=name.lower(), quarter_id="rosslau", skills=["escort"])
        for name in ("Anna", "Bernd", "Cem")
    )
    event = matching.help_requested(quarter_id="rosslau", help_kind="escort", skills=["escort"])
    matching.publish(event)
    [asked] = matching.help_request(event.help_request_id)["matches"]
    assert asked["volunteer_id"] == first["id"]

    url = f"/help-requests/{event.help_request_id}/offers"
    refused = matching.client.post(
        url, json={"volunteer_ids": [first["id"], third["id"]]}, headers=matching.coordinator()
    )
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "volunteer_ids.0"), refused.text
    offered = matching.client.post(
        url, json={"volunteer_ids": [second["id"], third["id"]]}, headers=matching.coordinator()
    )
    assert offered.status_code == 201, offered.text
    assert [(m["status"], m["via"]) for m in offered.json()] == [("proposed", "offered")] * 2
    bernd, cem = (m["id"] for m in offered.json())
    # the ranking's open proposal makes way for the coordinator's offer
    matching.wait_for_event(CANCELLED, match_id=asked["id"], reason="offered_to_several")

    claimed = matching.client.post(f"/matches/{cem}/accept", headers=matching.volunteer("cem"))
    assert claimed.status_code == 200, claimed.text
    late = matching.client.post(f"/matches/{bernd}/accept", headers=matching.volunteer("bernd"))
    assert (late.status_code, late.json()["current_status"]) == (409, "withdrawn")
    matching.wait_for_event(CANCELLED, match_id=bernd, reason="claimed_by_another")
    statuses = {m["id"]: m["status"] for m in matching.help_request(event.help_request_id)["matches"]}
    assert statuses == {asked["id"]: "withdrawn", bernd: "withdrawn", cem: "accepted"}


def test_when_every_offer_is_declined_the_request_goes_back_to_the_coordinator(matching: Matching) -> None:
    dora, emil, fritz = (
        matching.register(name, account=name.lower(), quarter_id="innenstadt-mitte", skills=["digital_help"])
        for name in ("Dora", "Emil", "Fritz")
    )
    request_id = unmatched(matching, "digital_help", quarter="ziebigk")
    offered = matching.client.post(
        f"/help-requests/{request_id}/offers",
        json={"volunteer_ids": [dora["id"], emil["id"]], "overrides": ["out_of_reach"]},
        headers=matching.coordinator(),
    ).json()
    for match, who in zip(offered, ("dora", "emil"), strict=True):
        assert (
            matching.client.post(f"/matches/{match['id']}/decline", headers=matching.volunteer(who)).status_code == 200
        )
    request = matching.help_request(uuid.UUID(request_id))
    # nobody else (Fritz) was asked behind the coordinator's back
    assert (request["status"], request["unmatched_reason"], len(request["matches"])) == ("unmatched", "all_declined", 2)
    assert fritz["id"] not in {m["volunteer_id"] for m in request["matches"]}


def test_two_claims_at_the_same_moment_exactly_one_wins(matching: Matching) -> None:
    gabi, hans = (
        matching.register(name, account=name.lower(), quarter_id="ziebigk", skills=["walk"])
        for name in ("Gabi", "Hans")
    )
    outcomes = []
    for _ in range(4):
        request_id = unmatched(matching, "walk", quarter="innenstadt-nord")
        offered = matching.client.post(
            f"/help-requests/{request_id}/offers",
            json={"volunteer_ids": [gabi["id"], hans["id"]], "overrides": ["out_of_reach"]},
            headers=matching.coordinator(),
        ).json()
        start = threading.Barrier(2)

        def claim(match_id: str, account: str, start: threading.Barrier = start) -> int:
            headers = matching.volunteer(account)
            start.wait()
            return matching.client.post(f"/matches/{match_id}/accept", headers=headers).status_code

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(claim, [m["id"] for m in offered], ["gabi", "hans"]))
        outcomes.append(sorted(answers))
        statuses = sorted(m["status"] for m in matching.help_request(uuid.UUID(request_id))["matches"])
        assert statuses == ["accepted", "withdrawn"]
        for match in offered:  # end the task, so that both are free for the next round
            matching.client.post(f"/matches/{match['id']}/complete", json={}, headers=matching.coordinator())
    assert outcomes == [[200, 409]] * 4


def test_the_volunteer_who_helped_the_person_before_is_asked_again(matching: Matching) -> None:
    ida = matching.register("Ida", account="ida", quarter_id="innenstadt-sued", skills=["reading"], languages=["de"])
    person = uuid.uuid4()
    first = matching.help_requested(help_kind="reading", skills=["reading"], person_ref=person)
    matching.publish(first)
    # reading needs a police-certificate check: nobody qualifies yet, so the coordinator assigns Ida
    request_id = str(first.help_request_id)
    assert matching.help_request(first.help_request_id)["status"] == "unmatched"
    matching.client.post(
        f"/volunteers/{ida['id']}/vetting",
        json={"certificate_date": matching.clock.now().date().isoformat(), "no_relevant_entry": True},
        headers=matching.coordinator(),
    )
    assigned = matching.client.post(
        f"/help-requests/{request_id}/assign", json={"volunteer_id": ida["id"]}, headers=matching.coordinator()
    )
    assert assigned.status_code == 201, assigned.text
    # a newer volunteer who shares the person's language would be first -- but Ida knows the person
    jan = matching.register("Jan", quarter_id="innenstadt-sued", skills=["reading"], languages=["de", "ar"])
    matching.client.post(
        f"/volunteers/{jan['id']}/vetting",
        json={"certificate_date": matching.clock.now().date().isoformat(), "no_relevant_entry": True},
        headers=matching.coordinator(),
    )
    again = matching.help_requested(help_kind="reading", skills=["reading"], languages=["ar"], person_ref=person)
    matching.publish(again)
    [proposal] = matching.help_request(again.help_request_id)["matches"]
    assert proposal["volunteer_id"] == ida["id"]
    assert proposal["reasons"][0]["code"] == "helped_before"
    other = matching.help_requested(help_kind="reading", skills=["reading"], languages=["ar"], person_ref=uuid.uuid4())
    matching.publish(other)
    assert matching.help_request(other.help_request_id)["matches"][0]["volunteer_id"] == jan["id"]


def test_recurring_help_is_proposed_only_to_who_has_time_in_its_weekly_slot(matching: Matching) -> None:
    matching.register(
        "Karl",
        quarter_id="innenstadt-mitte",
        skills=["company"],
        availability=[{"weekday": "mo", "starts": "09:00", "ends": "12:00"}],
    )
    lena = matching.register(
        "Lena",
        quarter_id="innenstadt-mitte",
        skills=["company"],
        availability=[{"weekday": "th", "starts": "14:00", "ends": "18:00"}],
    )
    for volunteer in matching.client.get("/volunteers", headers=matching.coordinator()).json():
        if volunteer["display_name"] in ("Karl", "Lena"):
            matching.client.post(
                f"/volunteers/{volunteer['id']}/vetting",
                json={"certificate_date": matching.clock.now().date().isoformat(), "no_relevant_entry": True},
                headers=matching.coordinator(),
            )
    event = matching.help_requested(
        quarter_id="innenstadt-mitte",
        help_kind="company",
        skills=["company"],
        weekly_slot={"weekday": "th", "starts": "15:00", "ends": "16:30"},
    )
    matching.publish(event)
    request = matching.help_request(event.help_request_id)
    assert request["weekly_slot"] == {"weekday": "th", "starts": "15:00", "ends": "16:30"}
    assert [m["volunteer_id"] for m in request["matches"]] == [lena["id"]]


def test_a_skill_level_is_kept_and_refused_for_a_skill_not_offered(matching: Matching) -> None:
    mia = matching.register(
        "Mia", account="mia", quarter_id="rosslau", skills=["small_repairs"], skill_levels={"small_repairs": "expert"}
    )
    assert mia["skill_levels"] == {"small_repairs": "expert"}
    refused = matching.client.patch(
        f"/volunteers/{mia['id']}", json={"skill_levels": {"walk": "basic"}}, headers=matching.volunteer("mia")
    )
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "skill_levels.walk"), refused.text
    changed = matching.client.patch(
        f"/volunteers/{mia['id']}", json={"skills": ["walk"]}, headers=matching.volunteer("mia")
    )
    assert changed.json()["skill_levels"] is None, "the level went with its skill"
