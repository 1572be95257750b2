"""Staff and Kümmerer raise early-warning signals; each becomes a follow-up task for the team of
the quarter, due when the city says."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qn_testkit.waiting import eventually

from .conftest import FRANZSTRASSE, OTHER_TEAM, TEAM, Warnings, at

pytestmark = pytest.mark.integration


def test_a_kuemmerers_observation_of_loneliness_becomes_a_follow_up_for_the_quarters_team_with_the_configured_due_date(
    warnings: Warnings,
) -> None:
    before = warnings.intake.clock.now()
    response = warnings.signal(
        warnings.kuemmerer(),
        signal_type="loneliness",
        address={"street": "franzstr.", "house_number": "147"},
        note="Herr im 3. OG geht seit Wochen nicht mehr vor die Tür.",
    )
    assert response.status_code == 201, response.text
    signal = response.json()
    assert (signal["raised_by"], signal["quarter_id"], signal["team_id"]) == ("kuemmerer", "innenstadt-sued", TEAM)
    assert response.headers["Location"] == f"/signals/{signal['id']}"

    follow_up = signal["follow_up"]
    assert (follow_up["team_id"], follow_up["reason"], follow_up["status"]) == (TEAM, "loneliness", "open")
    due_in = at(follow_up["due_at"]) - before
    assert timedelta(days=7) <= due_in < timedelta(days=7, minutes=1)  # city.toml: loneliness = 7

    team_tasks = warnings.client.get("/follow-ups", headers=warnings.staff()).json()["items"]
    assert [f["id"] for f in team_tasks] == [follow_up["id"]]
    assert warnings.client.get("/follow-ups", headers=warnings.staff(OTHER_TEAM)).json()["items"] == []

    def published() -> list:  # type: ignore[type-arg]
        messages = warnings.events("signal.raised", "follow_up.due")
        return messages if len(messages) == 2 else []

    due, raised = sorted(eventually(published, what="SignalRaised and FollowUpDue"), key=lambda m: m.subject)
    assert raised.subject == "qn.v1.intake.signal.raised"
    assert (raised.body["signal_type"], raised.body["raised_by"], raised.body["quarter_id"]) == (
        "loneliness",
        "kuemmerer",
        "innenstadt-sued",
    )
    assert (due.body["team_id"], due.body["signal_id"], at(due.body["due_at"])) == (
        TEAM,
        signal["id"],
        at(follow_up["due_at"]),
    )


def test_staff_raise_a_signal_about_a_concern_in_the_concerns_quarter(warnings: Warnings) -> None:
    concern = warnings.record(quarter_id="ziebigk", address=None, topics=["schulden"])
    nord = warnings.staff(OTHER_TEAM)
    response = warnings.signal(headers=nord, signal_type="debt_crisis", concern_id=concern["id"])
    assert response.status_code == 201, response.text
    signal = response.json()
    assert (signal["raised_by"], signal["quarter_id"], signal["team_id"]) == ("staff", "ziebigk", OTHER_TEAM)
    assert signal["follow_up"]["concern_id"] == concern["id"]
    due_in = at(signal["follow_up"]["due_at"]) - at(signal["raised_at"])
    assert due_in == timedelta(days=3)  # city.toml: debt_crisis = 3


def test_a_signal_about_a_person_belongs_to_the_quarter_the_person_lives_in(warnings: Warnings) -> None:
    person = warnings.add_person()
    signal = warnings.raise_signal(signal_type="neglect", person_id=person["id"])
    assert (signal["person_id"], signal["quarter_id"], signal["team_id"]) == (person["id"], "innenstadt-sued", TEAM)

    audit = warnings.client.get("/audit", params={"subject_id": person["id"]}, headers=warnings.coordinator()).json()
    reads = [(e["actor"], e["purpose"], e["fields"]) for e in audit["entries"] if e["purpose"] == "follow_up"]
    assert reads == [(f"staff@{TEAM}", "follow_up", ["quarter_id"])]  # reading the home quarter is on record


def test_a_signal_that_says_nowhere_is_refused_naming_what_is_missing(warnings: Warnings) -> None:
    response = warnings.signal(signal_type="neglect")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quarter_id"


def test_an_unknown_street_is_refused_with_the_closest_candidates(warnings: Warnings) -> None:
    response = warnings.signal(
        signal_type="neglect",
        address={"street": "Franzstrase", "house_number": "147"},
        headers={**warnings.staff(), "Accept-Language": "en"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "address.street"
    assert "Franzstraße" in [c["street"] for c in response.json()["candidates"]]


def test_a_concern_together_with_another_place_is_refused_as_ambiguous(warnings: Warnings) -> None:
    concern = warnings.record()
    response = warnings.signal(signal_type="neglect", concern_id=concern["id"], quarter_id="rosslau")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "quarter_id"


def test_an_unknown_signal_type_or_quarter_is_refused_with_422_naming_the_field(warnings: Warnings) -> None:
    wrong_type = warnings.signal(signal_type="sadness", quarter_id="rosslau")
    assert (wrong_type.status_code, wrong_type.json()["errors"][0]["field"]) == (422, "signal_type")
    wrong_quarter = warnings.signal(signal_type="neglect", quarter_id="atlantis")
    assert (wrong_quarter.status_code, wrong_quarter.json()["errors"][0]["field"]) == (422, "quarter_id")
    nul_note = warnings.signal(signal_type="neglect", quarter_id="rosslau", note="Tür\u0000offen")
    assert (nul_note.status_code, nul_note.json()["errors"][0]["field"]) == (422, "note")
    missing_person = warnings.signal(signal_type="neglect", person_id="6f1d7c1e-6a7b-4c3e-9f1a-2b3c4d5e6f70")
    assert (missing_person.status_code, missing_person.json()["errors"][0]["field"]) == (422, "person_id")


def test_a_volunteer_cannot_raise_signals(warnings: Warnings) -> None:
    response = warnings.signal(warnings.intake.tokens.headers("volunteer"), signal_type="neglect", address=FRANZSTRASSE)
    assert response.status_code == 403


def test_team_staff_list_their_teams_signals_by_type_and_quarter_and_not_another_teams(warnings: Warnings) -> None:
    lonely = warnings.raise_signal(signal_type="loneliness", quarter_id="innenstadt-mitte")
    warnings.raise_signal(signal_type="neglect", quarter_id="innenstadt-sued")
    warnings.raise_signal(signal_type="loneliness", quarter_id="ziebigk")

    by_type = warnings.client.get("/signals", params={"type": "loneliness"}, headers=warnings.staff()).json()
    assert ([s["id"] for s in by_type["items"]], by_type["total"]) == ([lonely["id"]], 1)
    by_quarter = warnings.client.get("/signals", params={"quarter_id": "innenstadt-sued"}, headers=warnings.staff())
    assert [s["signal_type"] for s in by_quarter.json()["items"]] == ["neglect"]
    everything = warnings.client.get("/signals", headers=warnings.coordinator()).json()
    assert everything["total"] == 3

    other = warnings.client.get("/signals", params={"team_id": OTHER_TEAM}, headers=warnings.staff())
    assert (other.status_code, other.json()["errors"][0]["field"]) == (403, "team_id")
    bad_type = warnings.client.get("/signals", params={"type": "sadness"}, headers=warnings.staff())
    assert (bad_type.status_code, bad_type.json()["errors"][0]["field"]) == (422, "type")
