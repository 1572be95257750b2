"""Hours and proxy mode (decision 0013): the volunteer logs quarter hours per task, a coordinator
approves or returns them, paper slips are marked as such, and `assignment.completed` reports a
completed task's approved hours once. A coordinator can accept, decline and enter hours for a
volunteer without a smartphone; the task log marks it as done on their behalf, and
`match.accepted` names both logins by pseudonym so that intake lets exactly them read the address."""

from __future__ import annotations

from typing import Any

import pytest

from qn_infra.pseudonyms import LoginPseudonyms, load_pseudonym_key

pytestmark = pytest.mark.integration

COMPLETED = "qn.matching.assignment.completed.v1"
DONE = "qn.matching.match.completed.v1"
ACCEPTED = "qn.matching.match.accepted.v1"


def accepted_task(matching: Any, *, account: str | None = "renate.k", by: dict[str, str] | None = None) -> str:
    """A task the one shopper in Innenstadt Süd accepted (or a coordinator for them)."""
    matching.register("Renate K.", **({"account": account} if account else {}))
    event = matching.help_requested()
    matching.publish(event)
    match = matching.help_request(event.help_request_id)["matches"][0]
    answer = matching.client.post(f"/matches/{match['id']}/accept", headers=by or matching.volunteer(account))
    assert answer.status_code == 200, answer.text
    return str(match["id"])


def log(matching: Any, match_id: str, headers: dict[str, str], **body: Any) -> Any:
    return matching.client.post(f"/matches/{match_id}/hours", json=body, headers=headers)


def test_a_volunteers_hours_count_once_a_coordinator_approves_them(matching: Any) -> None:
    match_id = accepted_task(matching)
    done = matching.client.post(
        f"/matches/{match_id}/complete",
        json={"hours": "1.5", "worked_on": "2026-11-24"},
        headers=matching.volunteer("renate.k"),
    )
    assert done.status_code == 200, done.text
    sheet = matching.client.get(f"/matches/{match_id}/hours", headers=matching.volunteer("renate.k")).json()
    [entry] = sheet["entries"]
    assert (entry["status"], entry["source"], entry["on_behalf"], sheet["settled"]) == (
        "submitted",
        "app",
        False,
        False,
    )
    queue = matching.client.get("/hours", headers=matching.coordinator()).json()
    assert [e["id"] for e in queue] == [entry["id"]]
    assert matching.events(COMPLETED, match_id=match_id) == [], "no hours are reported before approval"
    # ... but that the task is done is said at once: intake ends the volunteer's address access on it
    [done_event] = matching.wait_for_event(DONE, match_id=match_id)
    assert "hours" not in done_event.body, "the hours travel only once approved, in assignment.completed"

    approved = matching.client.post(f"/hours/{entry['id']}/approve", headers=matching.coordinator())
    assert approved.status_code == 200, approved.text
    assert (approved.json()["settled"], approved.json()["approved_hours"]) == (True, "1.50")
    [completed] = matching.wait_for_event(COMPLETED, match_id=match_id)
    assert (completed.body["hours"], completed.body["hours_source"]) == ("1.50", "app")
    again = matching.client.post(f"/hours/{entry['id']}/approve", headers=matching.coordinator())
    assert (again.status_code, again.json()["current_status"]) == (409, "approved")
    late = log(matching, match_id, matching.volunteer("renate.k"), hours="0.5")
    assert late.status_code == 409, "a settled task takes no more hours"


def test_returned_hours_count_for_nothing_and_a_corrected_entry_replaces_them(matching: Any) -> None:
    match_id = accepted_task(matching)
    renate = matching.volunteer("renate.k")
    first = log(matching, match_id, renate, hours="3", worked_on="2026-11-24")
    assert first.status_code == 201, first.text
    [entry] = first.json()["entries"]
    returned = matching.client.post(
        f"/hours/{entry['id']}/return",
        json={"reason": "wrong_hours", "note": "Bitte ohne Fahrzeit."},
        headers=matching.coordinator(),
    )
    assert returned.status_code == 200, returned.text
    mine = matching.client.get(f"/matches/{match_id}/hours", headers=renate).json()["entries"]
    assert (mine[0]["status"], mine[0]["return_reason"], mine[0]["return_note"]) == (
        "returned",
        "wrong_hours",
        "Bitte ohne Fahrzeit.",
    )

    corrected = log(matching, match_id, renate, hours="1.75", worked_on="2026-11-24")
    assert corrected.status_code == 201, corrected.text
    approved = matching.client.post(
        f"/hours/{corrected.json()['entries'][1]['id']}/approve", headers=matching.coordinator()
    )
    assert approved.status_code == 200
    assert matching.client.post(f"/matches/{match_id}/complete", json={}, headers=renate).status_code == 200
    [completed] = matching.wait_for_event(COMPLETED, match_id=match_id)
    assert completed.body["hours"] == "1.75"


@pytest.mark.parametrize(
    ("hours", "why"), [("1.1", "not a quarter hour"), ("0", "nothing"), ("24.25", "more than a day")]
)
def test_hours_are_quarter_hours_and_a_refusal_names_the_field(matching: Any, hours: str, why: str) -> None:
    match_id = accepted_task(matching)
    refused = log(matching, match_id, matching.volunteer("renate.k"), hours=hours)
    assert refused.status_code == 422, why
    assert refused.json()["errors"][0]["field"] == "hours"


def test_a_task_holds_at_most_24_hours(matching: Any) -> None:
    match_id = accepted_task(matching)
    assert log(matching, match_id, matching.volunteer("renate.k"), hours="20").status_code == 201
    refused = log(matching, match_id, matching.volunteer("renate.k"), hours="4.25")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "hours")


def test_paper_slips_are_entered_by_coordinators_marked_as_such_and_count_at_once(matching: Any) -> None:
    match_id = accepted_task(matching)
    refused = log(matching, match_id, matching.volunteer("renate.k"), hours="1", source="paper")
    assert (refused.status_code, refused.json()["errors"][0]["field"]) == (403, "source")

    assert log(matching, match_id, matching.volunteer("renate.k"), hours="1").status_code == 201
    done = matching.client.post(f"/matches/{match_id}/complete", json={}, headers=matching.volunteer("renate.k"))
    assert done.status_code == 200
    [app_entry] = matching.client.get(f"/matches/{match_id}/hours", headers=matching.coordinator()).json()["entries"]
    matching.client.post(f"/hours/{app_entry['id']}/approve", headers=matching.coordinator())
    # approving settled it already: a slip found later is too late for this task
    late = log(matching, match_id, matching.coordinator(), hours="2", source="paper")
    assert late.status_code == 409


def test_a_coordinator_accepts_and_enters_hours_for_a_volunteer_without_a_smartphone(matching: Any) -> None:
    carla = matching.coordinator(subject="carla.coordinator")
    match_id = accepted_task(matching, account=None, by=carla)
    slip = log(matching, match_id, carla, hours="2", source="paper", worked_on="2026-11-24")
    assert slip.status_code == 201, slip.text
    [entry] = slip.json()["entries"]
    assert (entry["status"], entry["source"], entry["on_behalf"], entry["logged_by"]) == (
        "approved",
        "paper",
        True,
        "carla.coordinator",
    )
    assert matching.client.post(f"/matches/{match_id}/complete", json={}, headers=carla).status_code == 200
    [completed] = matching.wait_for_event(COMPLETED, match_id=match_id)
    assert (completed.body["hours"], completed.body["hours_source"]) == ("2.00", "paper")

    task = matching.client.get(f"/matches/{match_id}", headers=carla).json()
    logged = matching.client.get(f"/matches/{match_id}/log", headers=carla).json()
    assert [(e["action"], e["actor"], e["on_behalf_of"]) for e in logged] == [
        ("accepted", "carla.coordinator", task["volunteer_id"]),
        ("hours_logged", "carla.coordinator", task["volunteer_id"]),
        ("completed", "carla.coordinator", task["volunteer_id"]),
    ]
    [accepted] = matching.wait_for_event(ACCEPTED, match_id=match_id)
    logins = LoginPseudonyms(load_pseudonym_key(None, matching.settings.pseudonym_key_file), "quartiersnetz-local")
    assert accepted.body["volunteer_login"] is None, "a volunteer without a login"
    assert accepted.body["proxy_login"] == logins.of("carla.coordinator")


def test_match_accepted_names_the_volunteers_login_by_pseudonym_only(matching: Any) -> None:
    match_id = accepted_task(matching)
    [accepted] = matching.wait_for_event(ACCEPTED, match_id=match_id)
    logins = LoginPseudonyms(load_pseudonym_key(None, matching.settings.pseudonym_key_file), "quartiersnetz-local")
    assert (accepted.body["volunteer_login"], accepted.body["proxy_login"]) == (logins.of("renate.k"), None)
    assert 0 <= accepted.body["minutes_to_match"] < 60, "reporting's time to match: accepted at once here"
    assert "renate.k" not in str(accepted.body) and "renate.k" not in str(accepted.headers)
    logged = matching.client.get(f"/matches/{match_id}/log", headers=matching.volunteer("renate.k")).json()
    assert [(e["action"], e["on_behalf_of"]) for e in logged] == [("accepted", None)]
    assert matching.client.get(f"/matches/{match_id}/log", headers=matching.volunteer("dmitri.s")).status_code == 403
