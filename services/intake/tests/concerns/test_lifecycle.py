"""A concern's life after recording: contacts, overrides with a reason, closing and reopening, and
safe retries with an Idempotency-Key."""

from __future__ import annotations

import uuid

import pytest

from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

CONCERN = {
    "channel": "phone",
    "topics": ["schulden", "einsamkeit"],
    "urgency": "soon",
    "address": {"street": "Zerbster Straße", "house_number": "4"},
    "contact_channel": "phone",
    "language": "ru",
}


def record(intake, **overrides):  # type: ignore[no-untyped-def]
    response = intake.client.post("/concerns", json={**CONCERN, **overrides}, headers=intake.staff())
    assert response.status_code == 201, response.text
    return response.json()


def subjects_for(intake, concern_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.subject for m in read_stream(intake.nats_url, "QN_INTAKE") if m.body.get("concern_id") == concern_id]


def test_the_same_idempotency_key_returns_the_first_answer_and_records_once(intake) -> None:
    key = str(uuid.uuid4())
    headers = {**intake.staff(), "Idempotency-Key": key}
    first = intake.client.post("/concerns", json=CONCERN, headers=headers)
    again = intake.client.post("/concerns", json=CONCERN, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotency-Replayed"] == "true"
    concern_id = first.json()["id"]
    eventually(lambda: "qn.v1.intake.concern.recorded" in subjects_for(intake, concern_id), what="the event")
    recorded = [m for m in read_stream(intake.nats_url, "QN_INTAKE") if m.subject == "qn.v1.intake.concern.recorded"]
    assert len(recorded) == 1


def test_an_idempotency_key_used_for_another_concern_is_refused_with_409(intake) -> None:
    headers = {**intake.staff(), "Idempotency-Key": "key-0001-abcdef"}
    assert intake.client.post("/concerns", json=CONCERN, headers=headers).status_code == 201
    other = intake.client.post("/concerns", json={**CONCERN, "urgency": "immediate"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"


def test_a_malformed_idempotency_key_names_the_header(intake) -> None:
    response = intake.client.post("/concerns", json=CONCERN, headers={**intake.staff(), "Idempotency-Key": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "header.idempotency-key"


def test_the_preferred_contact_channel_and_language_are_kept(intake) -> None:
    concern = record(intake)
    assert (concern["contact_channel"], concern["language"]) == ("phone", "ru")


def test_a_concern_is_closed_with_an_outcome_and_reopening_is_recorded(intake) -> None:
    concern = record(intake)
    closed = intake.client.post(
        f"/concerns/{concern['id']}/close", json={"outcome": "resolved"}, headers=intake.staff()
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["outcome"] == "resolved"
    reopened = intake.client.post(
        f"/concerns/{concern['id']}/reopen", json={"note": "Neue Mahnung"}, headers=intake.staff()
    )
    assert reopened.status_code == 200 and reopened.json()["status"] == "open"
    kinds = [h["kind"] for h in reopened.json()["history"]]
    assert kinds == ["recorded", "closed", "reopened"]
    assert reopened.json()["history"][-1]["detail"]["previous_outcome"] == "resolved"
    eventually(
        lambda: (
            {"qn.v1.intake.concern.closed", "qn.v1.intake.concern.reopened"} <= set(subjects_for(intake, concern["id"]))
        ),
        what="closed and reopened events",
    )


def test_closing_a_closed_concern_gets_409_and_an_unknown_outcome_422(intake) -> None:
    concern = record(intake)
    url = f"/concerns/{concern['id']}/close"
    assert (
        intake.client.post(url, json={"outcome": "vanished"}, headers=intake.staff()).json()["errors"][0]["field"]
        == "outcome"
    )
    assert intake.client.post(url, json={"outcome": "resolved"}, headers=intake.staff()).status_code == 200
    again = intake.client.post(url, json={"outcome": "resolved"}, headers=intake.staff())
    assert again.status_code == 409 and again.json()["current_status"] == "closed" and again.json()["status"] == 409


def test_staff_override_the_routing_table_with_a_reason_and_it_is_recorded(intake) -> None:
    concern = record(
        intake,
        referral_overrides=[{"topic": "schulden", "target_id": "awo-dessau", "reason": "wird dort schon beraten"}],
    )
    referrals = {r["target_id"]: r for r in concern["referrals"]}
    assert set(referrals) == {"awo-dessau"}
    assert referrals["awo-dessau"]["overridden"] is True and referrals["awo-dessau"]["rule_id"] is None
    assert referrals["awo-dessau"]["override_reason"] == "wird dort schon beraten"
    assert [h["kind"] for h in concern["history"]] == ["recorded", "routing_overridden"]


def test_an_override_without_a_reason_or_to_an_unknown_target_is_refused(intake) -> None:
    no_reason = intake.client.post(
        "/concerns",
        json={**CONCERN, "referral_overrides": [{"topic": "schulden", "target_id": "awo-dessau"}]},
        headers=intake.staff(),
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "referral_overrides.0.reason"
    unknown = intake.client.post(
        "/concerns",
        json={**CONCERN, "referral_overrides": [{"topic": "schulden", "target_id": "nobody", "reason": "weil"}]},
        headers=intake.staff(),
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "referral_overrides.0.target_id"


def test_staff_refer_a_recorded_concern_to_another_carrier_with_a_reason(intake) -> None:
    concern = record(intake)
    referred = intake.client.post(
        f"/concerns/{concern['id']}/referrals",
        json={"target_id": "drk-dessau", "topic": "einsamkeit", "reason": "Besuchsdienst des DRK"},
        headers=intake.staff(),
    )
    assert referred.status_code == 201, referred.text
    assert "drk-dessau" in {r["target_id"] for r in referred.json()["referrals"]}


def test_a_reached_contact_is_noted_and_an_attempt_is_only_history(intake) -> None:
    concern = record(intake)
    url = f"/concerns/{concern['id']}/contacts"
    assert (
        intake.client.post(url, json={"channel": "phone", "reached": False}, headers=intake.staff()).status_code == 204
    )
    after_attempt = intake.client.get(f"/concerns/{concern['id']}", headers=intake.staff()).json()
    assert after_attempt["last_contact_at"] is None
    assert intake.client.post(url, json={"channel": "home_visit"}, headers=intake.staff()).status_code == 204
    after_visit = intake.client.get(f"/concerns/{concern['id']}", headers=intake.staff()).json()
    assert after_visit["last_contact_at"] is not None
    assert [h["kind"] for h in after_visit["history"]].count("contact") == 2


def test_topics_come_with_german_labels_and_english_on_request(intake) -> None:
    german = intake.client.get("/topics", headers=intake.staff()).json()
    english = intake.client.get("/topics", headers={**intake.staff(), "Accept-Language": "en"}).json()
    assert {
        "code": "kinder_jugend_familie",
        "label": "Kinder, Jugend und Familie",
        "de": "Kinder, Jugend und Familie",
        "en": "Children, youth and family",
    } in german
    assert next(t for t in english if t["code"] == "einsamkeit")["label"] == "Loneliness"
    assert len(german) == 14


def test_a_kuemmerer_records_an_observation_but_cannot_read_concerns(intake) -> None:
    kuemmerer = intake.tokens.headers("kuemmerer")
    recorded = intake.client.post("/concerns", json={**CONCERN, "channel": "kuemmerer_observation"}, headers=kuemmerer)
    assert recorded.status_code == 201
    assert intake.client.get(f"/concerns/{recorded.json()['id']}", headers=kuemmerer).status_code == 403


def test_a_follow_up_done_as_contacted_shows_as_a_contact_on_the_concern(intake) -> None:
    concern = record(intake)  # anonymous: no consent needed to note the contact
    staff = intake.staff(team="team-innenstadt")
    signal = intake.client.post(
        "/signals", json={"signal_type": "loneliness", "concern_id": concern["id"]}, headers=staff
    )
    assert signal.status_code == 201, signal.text
    follow_up_id = signal.json()["follow_up"]["id"]
    done = intake.client.post(f"/follow-ups/{follow_up_id}/done", json={"outcome": "contacted"}, headers=staff)
    assert done.status_code == 200, done.text
    after = intake.client.get(f"/concerns/{concern['id']}", headers=staff).json()
    assert after["last_contact_at"] is not None
    assert after["history"][-1]["kind"] == "contact" and after["history"][-1]["detail"]["via"] == "follow_up"


def person(intake) -> str:  # type: ignore[no-untyped-def]
    response = intake.client.post(
        "/persons",
        json={
            "given_name": "Erna",
            "family_name": "Beispiel",
            "birth_year": 1941,
            "phone": "0340 000000",
            "address": {"street": "Franzstraße", "house_number": "147"},
        },
        headers=intake.staff(),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_reading_a_concern_about_a_person_is_written_to_the_audit_log(intake) -> None:
    person_id = person(intake)
    concern = record(intake, person_id=person_id, address=None, note="wirkt vereinsamt")
    reader = intake.tokens.headers("team_staff", subject="anna.s", team="team-innenstadt")
    assert intake.client.get(f"/concerns/{concern['id']}", headers=reader).status_code == 200
    audit = intake.client.get(
        "/audit", params={"subject_id": person_id}, headers=intake.tokens.headers("coordinator")
    ).json()
    entries = audit["entries"] if isinstance(audit, dict) else audit
    reads = [e for e in entries if e["actor"] == "anna.s"]
    assert len(reads) == 1 and reads[0]["purpose"] == "case_work" and "concern.note" in reads[0]["fields"]


def test_closing_a_concern_ends_help_still_waiting_for_consent(intake) -> None:
    person_id = person(intake)
    concern = record(intake, person_id=person_id, address=None, topics=["einsamkeit"])
    assert [h["status"] for h in concern["help_requests"]] == ["awaiting_consent"]
    closed = intake.client.post(f"/concerns/{concern['id']}/close", json={"outcome": "no_need"}, headers=intake.staff())
    assert [h["status"] for h in closed.json()["help_requests"]] == ["cancelled"]
