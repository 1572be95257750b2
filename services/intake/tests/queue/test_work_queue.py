"""The work queue a team opens every morning: its open concerns, referrals still under way and open
follow-ups, late ones first, then by urgency and due date, a page at a time."""

from __future__ import annotations

import json

import pytest

from .conftest import OTHER_TEAM, TEAM, Morning

pytestmark = pytest.mark.integration

DEBT_ADVICE = "caritas-dessau"  # the routing table sends 'schulden' here


def test_the_queue_shows_only_the_callers_team(morning: Morning) -> None:
    ours = morning.record()
    theirs = morning.record(OTHER_TEAM, address=None, quarter_id="ziebigk")

    own = morning.queue()
    assert own["team_id"] == TEAM
    assert [i["id"] for i in own["items"]] == [ours["id"]]
    other = morning.queue(morning.staff(OTHER_TEAM))
    assert ([i["id"] for i in other["items"]], other["team_id"]) == ([theirs["id"]], OTHER_TEAM)

    refused = morning.client.get("/queue", params={"team_id": OTHER_TEAM}, headers=morning.staff())
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (403, "team_id")
    assert morning.ids(headers=morning.coordinator(), team_id=OTHER_TEAM) == [theirs["id"]]
    assert set(morning.ids(headers=morning.coordinator())) == {ours["id"], theirs["id"]}


def test_a_referral_addressed_to_a_team_is_in_that_teams_queue_too(morning: Morning) -> None:
    # old age outside the Franztreff's and Rosseltreff's quarters stays with the quarter's own team ...
    own = morning.record(OTHER_TEAM, address=None, quarter_id="ziebigk", topics=["alter"])
    assert own["referrals"] == []
    # ... unless staff send it to another team, with a reason
    override = {"topic": "alter", "target_id": TEAM, "reason": "Seniorenberatung sitzt im Franztreff"}
    concern = morning.record(
        OTHER_TEAM, address=None, quarter_id="ziebigk", topics=["alter"], referral_overrides=[override]
    )
    [referral] = concern["referrals"]
    assert (referral["target_kind"], referral["target_id"], referral["status"]) == ("team", TEAM, "requested")
    assert morning.ids() == [referral["id"]]
    assert set(morning.ids(headers=morning.staff(OTHER_TEAM))) == {own["id"], concern["id"], referral["id"]}


def test_the_queue_orders_by_urgency_and_then_by_due_date(morning: Morning) -> None:
    plannable = morning.record(urgency="plannable")
    debt = morning.record(topics=["schulden"], urgency="soon")  # city.toml: schulden, soon = 10 days
    lonely = morning.record(urgency="soon")  # soon = 7 days
    immediate = morning.record(urgency="immediate")

    assert morning.ids(kind="concern") == [immediate["id"], lonely["id"], debt["id"], plannable["id"]]
    [debt_referral] = debt["referrals"]
    assert morning.ids() == [immediate["id"], lonely["id"], debt_referral["id"], debt["id"], plannable["id"]]

    first = morning.queue()["items"][0]
    assert (first["kind"], first["urgency"], first["overdue"], first["escalated"]) == (
        "concern",
        "immediate",
        False,
        False,
    )
    assert first["topics"] == [{"code": "gesundheit", "de": "Gesundheit", "en": "Health"}]
    assert first["label"] == {"de": "Anliegen: Gesundheit", "en": "Concern: Health"}


def test_an_overdue_concern_comes_first_and_can_be_filtered(morning: Morning) -> None:
    morning.record(urgency="immediate")
    late = morning.record(urgency="plannable")
    morning.recorded_days_ago(late["id"], 30)  # plannable: due after 14 days

    first = morning.queue()["items"][0]
    assert (first["id"], first["overdue"]) == (late["id"], True)
    assert morning.ids(overdue="true") == [late["id"]]
    assert late["id"] not in morning.ids(overdue="false")


def test_the_queue_paginates_with_a_stable_total(morning: Morning) -> None:
    recorded = {morning.record(urgency="soon")["id"] for _ in range(7)}
    pages = [morning.queue(page=n, page_size=3) for n in (1, 2, 3, 4)]

    assert [p["total"] for p in pages] == [7, 7, 7, 7]
    assert [len(p["items"]) for p in pages] == [3, 3, 1, 0]
    seen = [i["id"] for p in pages for i in p["items"]]
    assert len(seen) == len(set(seen)) and set(seen) == recorded
    assert [i["id"] for i in morning.queue(page=2, page_size=3)["items"]] == seen[3:6]  # same order every time


def test_referrals_under_way_show_their_status_and_a_declined_one_needs_another_way(morning: Morning) -> None:
    accepted = morning.record(topics=["schulden"])["referrals"][0]
    rejected = morning.record(topics=["schulden"])["referrals"][0]
    carrier = morning.carrier(DEBT_ADVICE)
    answer = morning.client.post(f"/referrals/{accepted['id']}/status", json={"to_status": "accepted"}, headers=carrier)
    assert answer.status_code == 200, answer.text
    answer = morning.client.post(
        f"/referrals/{rejected['id']}/status", json={"to_status": "rejected", "reason": "no_capacity"}, headers=carrier
    )
    assert answer.status_code == 200, answer.text

    items = {i["id"]: i for i in morning.queue(kind="referral")["items"]}
    assert set(items) == {accepted["id"], rejected["id"]}
    under_way, declined = items[accepted["id"]], items[rejected["id"]]
    assert (under_way["status"], under_way["target_id"]) == ("accepted", DEBT_ADVICE)
    assert under_way["label"]["de"].startswith("Vermittlung an Caritas Dessau")
    assert under_way["label"]["de"].endswith("(angenommen)")
    # the decline is news: it comes first, says why, and asks the team for another way
    assert morning.queue(kind="referral")["items"][0]["id"] == rejected["id"]
    assert (declined["status"], declined["reason"]) == ("rejected", "no_capacity")
    assert declined["label"]["de"].endswith("(abgelehnt – anderer Weg nötig)")
    assert morning.ids(status="accepted") == [accepted["id"]]
    assert morning.ids(status="requested") == []
    assert len(morning.ids(topic="schulden")) == 4  # two concerns, the accepted and the declined referral

    # once the team records its next step, the declined referral leaves the queue
    step = {"step": "team_takes_over", "note": "Termin bei der Schuldnerberatung der Stadt vereinbart"}
    recorded = morning.client.post(f"/referrals/{rejected['id']}/next-step", json=step, headers=morning.staff())
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["next_step"]["code"] == "team_takes_over"
    assert [i["id"] for i in morning.queue(kind="referral")["items"]] == [accepted["id"]]
    again = morning.client.post(f"/referrals/{rejected['id']}/next-step", json=step, headers=morning.staff())
    assert (again.status_code, again.json()["code"]) == (409, "next_step_not_needed")


def test_invalid_filters_are_refused_with_422_naming_the_parameter(morning: Morning) -> None:
    cases = {
        "kind": {"kind": "case"},
        "status": {"kind": "concern", "status": "accepted"},
        "quarter_id": {"quarter_id": "atlantis"},
        "topic": {"topic": "astrologie"},
        "overdue": {"overdue": "maybe"},
        "page": {"page": "0"},
        "page_size": {"page_size": "1000"},
        "team_id": {"team_id": "team-mars"},
    }
    for field, params in cases.items():
        response = morning.client.get("/queue", params=params, headers=morning.coordinator())
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["field"] == field


def test_the_queue_holds_no_personal_data(morning: Morning) -> None:
    person = {
        "given_name": "Erika",
        "family_name": "Mustermann",
        "phone": "0340 555 1234",
        "address": {"street": "Franzstraße", "house_number": "147"},
    }
    created = morning.client.post("/persons", json=person, headers=morning.staff())
    assert created.status_code == 201, created.text
    morning.record(person_id=created.json()["id"], topics=["schulden"], note="Frau Mustermann ruft nur abends zurück")
    morning.client.post(
        "/signals", json={"signal_type": "debt_crisis", "person_id": created.json()["id"]}, headers=morning.staff()
    )

    text = json.dumps(morning.queue(), ensure_ascii=False)
    assert morning.queue()["total"] == 3
    for word in ("Erika", "Mustermann", "0340 555 1234", "Franzstraße", "abends", created.json()["id"]):
        assert word not in text, word


def test_the_queue_is_for_staff_only(morning: Morning) -> None:
    for role in ("carrier", "volunteer", "committee", "kuemmerer"):
        response = morning.client.get("/queue", headers=morning.intake.tokens.headers(role, team=TEAM))
        assert response.status_code == 403, role
