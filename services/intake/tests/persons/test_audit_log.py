"""The audit log: who read whose data, when, why and what -- and nobody can change it afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from qn_infra.auth import Principal
from qn_intake.audit.log import record_read
from qn_intake.audit.models import AuditEntry

pytestmark = pytest.mark.integration


def test_a_person_read_is_audited_with_who_purpose_fields_and_the_request(world) -> None:
    person = world.add_person()
    headers = {**world.staff("anna.staff"), "X-Correlation-Id": "5f1c2e4a-4711-4b7e-9c3d-2a6f0e8d4711"}
    read = world.client.get(f"/persons/{person['id']}", params={"purpose": "follow_up"}, headers=headers)
    assert read.status_code == 200

    entries = world.audit(subject_id=person["id"])
    assert len(entries) == 1
    entry = entries[0]
    who = (entry["actor"], entry["actor_roles"], entry["actor_org"])
    assert who == ("anna.staff", ["team_staff"], "team-innenstadt")
    assert (entry["purpose"], entry["action"], entry["subject_type"]) == ("follow_up", "read", "person")
    assert {"family_name", "phone", "email", "street", "birth_year"} <= set(entry["fields"])
    assert entry["correlation_id"] == "5f1c2e4a-4711-4b7e-9c3d-2a6f0e8d4711"
    assert abs(datetime.fromisoformat(entry["at"]) - world.intake.clock.now()) < timedelta(minutes=1)


def test_reading_a_persons_consents_is_audited_too(world) -> None:
    person = world.add_person()
    world.give_consent(person["id"], "neighbourly_help")
    listed = world.client.get(f"/persons/{person['id']}/consents", headers=world.staff("ben.staff"))
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert [(e["actor"], e["fields"]) for e in world.audit(subject_id=person["id"])] == [("ben.staff", ["consents"])]


def test_a_data_protection_officer_filters_by_reader_and_time(world) -> None:
    person = world.add_person()
    before = world.intake.clock.now() - timedelta(seconds=1)
    world.client.get(f"/persons/{person['id']}", headers=world.staff("anna.staff"))
    world.client.get(f"/persons/{person['id']}", headers=world.staff("ben.staff"))
    after = world.intake.clock.now() + timedelta(seconds=1)

    by_ben = world.audit(subject_id=person["id"], actor="ben.staff")
    assert [e["actor"] for e in by_ben] == ["ben.staff"]
    window = world.audit(**{"from": before.isoformat(), "to": after.isoformat()})
    assert [e["actor"] for e in window] == ["anna.staff", "ben.staff"]
    assert world.audit(**{"to": before.isoformat()}) == []
    wrong_way = world.client.get(
        "/audit",
        params={"from": after.isoformat(), "to": before.isoformat()},
        headers={**world.coordinator(), "Accept-Language": "en"},
    )
    assert wrong_way.status_code == 422 and wrong_way.json()["errors"][0]["field"] == "from"


def test_an_audit_entry_belongs_to_the_readers_transaction(world) -> None:
    reader = Principal(subject="c.carrier", roles=frozenset({"carrier"}), org="caritas-dessau")
    person = world.add_person()
    with world.runtime.unit_of_work() as uow:
        record_read(
            uow.session,
            reader,
            at=uow.clock.now(),
            purpose="referral",
            subject_type="person",
            subject_id=person["id"],
            fields=["phone"],
        )
        # not committed: the read did not happen, so neither did the entry
    with world.runtime.unit_of_work() as uow:
        record_read(
            uow.session,
            reader,
            at=uow.clock.now(),
            purpose="referral",
            subject_type="person",
            subject_id=person["id"],
            fields=["phone"],
        )
        uow.commit()
    entries = world.audit(subject_id=person["id"])
    who = [(e["actor"], e["actor_org"], e["purpose"]) for e in entries]
    assert who == [("c.carrier", "caritas-dessau", "referral")]


def test_the_audit_log_refuses_changes_and_deletions(world) -> None:
    person = world.add_person()
    world.client.get(f"/persons/{person['id']}", headers=world.staff())
    attempts = [
        update(AuditEntry).values(actor="somebody-else"),
        delete(AuditEntry),
        text("UPDATE audit_log SET fields = '[]'"),
        text("DELETE FROM audit_log WHERE subject_id = :s").bindparams(s=person["id"]),
    ]
    for attempt in attempts:
        with world.runtime.sessions() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(attempt)
            session.commit()
    with world.runtime.sessions() as session:  # through the ORM, too
        entry = session.scalars(select(AuditEntry)).one()
        entry.actor = "somebody-else"
        with pytest.raises(DBAPIError, match="append-only"):
            session.commit()
    entries = world.audit(subject_id=person["id"])
    assert [e["actor"] for e in entries] == ["anna.staff"]
