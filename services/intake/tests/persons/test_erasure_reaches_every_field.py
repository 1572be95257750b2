"""Erasure reaches every field: a canary is put into every free-text column of every intake table
that can hold something about the person -- found by walking the SQLAlchemy models, so a column
added later cannot be forgotten -- the person is erased, and the canary is found nowhere: not in
the database, not on the stream, not in a log line. Another person's data stays as it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import JSON, ColumnElement, String, Table, Text, create_engine, or_, select, update

from qn_contracts.matching import HelpRequestUnmatched
from qn_intake.concerns.models import Concern, ConcernEvent, IdempotencyRecord
from qn_intake.consent.models import Consent
from qn_intake.db import Base, import_models
from qn_intake.help_requests.models import HelpRequest
from qn_intake.persons.models import Person
from qn_intake.referrals.models import Referral, ReferralTransition
from qn_intake.signals.models import FollowUp, Signal
from qn_testkit.waiting import eventually

from .test_help_loop import announce

pytestmark = pytest.mark.integration

CANARY = "QNKANARIEVOGEL"  # what erasure must remove
KEEP = "QNBLEIBTSTEHEN"  # another person's: erasure must leave it

# Text columns that never hold anything about a person, and why. Every other text column of an
# intake table is treated as personal: the test writes the canary into it.
NOT_PERSONAL: dict[str, str] = {
    **{
        f"audit_log.{c}": "who read what, for accountability: staff, codes and ids only"
        for c in (
            "actor",
            "actor_roles",
            "actor_org",
            "purpose",
            "action",
            "subject_type",
            "subject_id",
            "fields",
            "correlation_id",
            "on_behalf_of",
        )
    },
    **{
        f"help_assignments.{c}": "a volunteer's reference or the keyed pseudonym of a login (decision 0013), a code"
        for c in ("volunteer_login", "proxy_login", "ended_reason")
    },
    "directory_imports.source": "the street directory's file name",
    "directory_imports.sha256": "a checksum of the public street directory",
    **{
        f"street_addresses.{c}": "the public street directory, not anyone's data"
        for c in (
            "street",
            "postcode",
            "house_number",
            "locality",
            "quarter_id",
        )
    },
    **{f"outbox.{c}": "events: checked on the stream below" for c in ("event_id", "subject", "headers", "last_error")},
    "processed_events.consumer": "a consumer's name",
    "processed_events.event_id": "an event id",
    "idempotency_keys.principal": "the staff account that sent the request",
    "idempotency_keys.key": "a client's random key",
    "idempotency_keys.request": "method and route",
    "idempotency_keys.request_hash": "a hash of the request, deleted with the record",
    "idempotency_keys.resource_id": "the concern's id",
    "persons.team_id": "a team id",
    "persons.created_by": "the staff account that recorded the person",
    **{
        f"concerns.{c}": "a code, an id or a staff account"
        for c in (
            "channel",
            "topics",
            "urgency",
            "quarter_id",
            "team_id",
            "age_band",
            "status",
            "outcome",
            "recorded_by",
        )
    },
    **{
        f"consents.{c}": "a code, an id or a staff account"
        for c in (
            "purpose",
            "carrier_id",
            "given_by",
            "form",
            "recorded_by",
            "withdrawn_recorded_by",
        )
    },
    "concern_history.actor": "a staff account",
    "concern_history.kind": "a code",
    "concern_history.detail": "codes and ids only; free text goes into the note",
    **{
        f"help_requests.{c}": "a code, an id or a staff account"
        for c in (
            "help_kind",
            "topics",
            "rule_id",
            "status",
            "asked_by",
            "unmatched_reason",
            "cancelled_reason",
            "next_step",
            "next_step_by",
            "hours_source",
        )
    },
    "help_requests.weekly_slot": "a weekday and two times of day for recurring help: no person's data",
    **{
        f"referrals.{c}": "a code, an id or a staff account"
        for c in (
            "target_kind",
            "target_id",
            "topics",
            "rule_id",
            "status",
            "reason",
            "decided_by",
            "created_by",
            "legal_basis",
            "legal_basis_by",
            "next_step",
            "next_step_by",
        )
    },
    **{
        f"signals.{c}": "a code, an id or a staff account"
        for c in (
            "signal_type",
            "quarter_id",
            "team_id",
            "raised_by",
            "rule_id",
            "raised_by_subject",
        )
    },
    **{
        f"follow_ups.{c}": "a code, an id or a staff account"
        for c in (
            "quarter_id",
            "team_id",
            "reason",
            "status",
            "outcome",
            "done_by",
        )
    },
    **{
        f"referral_transitions.{c}": "a code, an id or a staff account"
        for c in (
            "actor",
            "actor_org",
            "from_status",
            "to_status",
            "reason",
            "decided_by",
        )
    },
}


def rows_about(person_id: uuid.UUID, concern_ids: list[uuid.UUID]) -> dict[str, Callable[[], ColumnElement[bool]]]:
    """For each table that can hold something about a person: which of its rows are about them."""
    concerns = select(Concern.id).where(Concern.person_id == person_id)
    referrals = select(Referral.id).where(Referral.concern_id.in_(concerns))
    signals = select(Signal.id).where(or_(Signal.person_id == person_id, Signal.concern_id.in_(concerns)))
    return {
        "persons": lambda: Person.id == person_id,
        "concerns": lambda: Concern.person_id == person_id,
        "concern_history": lambda: ConcernEvent.concern_id.in_(concerns),
        "consents": lambda: Consent.person_id == person_id,
        "referrals": lambda: Referral.concern_id.in_(concerns),
        "referral_transitions": lambda: ReferralTransition.referral_id.in_(referrals),
        "help_requests": lambda: HelpRequest.concern_id.in_(concerns),
        "signals": lambda: Signal.id.in_(signals),
        "follow_ups": lambda: or_(FollowUp.concern_id.in_(concerns), FollowUp.signal_id.in_(signals)),
        # answers remembered for repeated requests hold the concern as it was sent
        "idempotency_keys": lambda: IdempotencyRecord.resource_id.in_([str(i) for i in concern_ids]),
    }


def personal_columns() -> dict[str, list[str]]:
    """Every text or JSON column of every intake table that is not declared free of personal data."""
    import_models()
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text | JSON) and f"{table.name}.{column.name}" not in NOT_PERSONAL:
                found.setdefault(table.name, []).append(column.name)
    return found


def canary_for(column: Any, word: str) -> Any:
    if isinstance(column.type, JSON):
        return {"note": word}
    length = getattr(column.type, "length", None)
    return word[:length] if length else word


def plant(engine: Any, person_id: uuid.UUID, concern_ids: list[uuid.UUID], word: str) -> None:
    """Writes `word` into every personal column of every row about the person."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    where = rows_about(person_id, concern_ids)
    with engine.begin() as connection:
        for name, columns in personal_columns().items():
            table: Table = tables[name]
            values = {c: canary_for(table.c[c], word) for c in columns}
            connection.execute(update(table).where(where[name]()).values(values))


def everything_stored(engine: Any) -> str:
    dump = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                dump.append(repr(tuple(row)))
    return "\n".join(dump)


def a_life_in_intake(world: Any, word: str, team: dict[str, str]) -> dict[str, Any]:
    """Everything the team does for one person, with `word` in every text field the API takes."""
    client, coordinator = world.client, world.coordinator()
    person = world.add_person(given_name=f"{word}-Vorname", family_name=word, email=f"{word.lower()}@example.org")
    for consent in ({"purpose": "neighbourly_help"}, {"purpose": "referral", "carrier_id": "caritas-dessau"}):
        world.give_consent(
            person["id"],
            consent["purpose"],
            note=f"{word} Einwilligung",
            **{k: v for k, v in consent.items() if k != "purpose"},
        )
    body = {
        "channel": "phone",
        "topics": ["schulden", "einsamkeit", "wohnen"],
        "urgency": "soon",
        "person_id": person["id"],
        "address": {"street": "Franzstraße", "house_number": "147"},
        "note": f"{word} lebt allein",
        "referral_overrides": [{"topic": "wohnen", "target_id": "sozialamt", "reason": f"{word} will das so"}],
    }
    created = client.post("/concerns", json=body, headers={**team, "Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201, created.text
    concern = created.json()
    caritas = world.as_role("carrier", org="caritas-dessau", subject="caritas-1")
    by_target = {r["target_id"]: r["id"] for r in concern["referrals"]}
    declined = client.post(
        f"/referrals/{by_target['caritas-dessau']}/status",
        json={"to_status": "rejected", "reason": "no_capacity", "note": f"{word} war nicht erreichbar"},
        headers=caritas,
    )
    assert declined.status_code == 200, declined.text
    assert (
        client.post(
            f"/referrals/{by_target['caritas-dessau']}/next-step",
            json={"step": "team_takes_over", "note": f"{word} Plan"},
            headers=team,
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/referrals/{by_target['sozialamt']}/legal-basis",
            json={"basis": "sgb_x_69", "note": f"{word} Begründung"},
            headers=team,
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/concerns/{concern['id']}/contacts", json={"channel": "phone", "note": f"{word} am Telefon"}, headers=team
        ).status_code
        == 204
    )
    signal = client.post(
        "/signals",
        json={"signal_type": "loneliness", "person_id": person["id"], "note": f"{word} wirkt einsam"},
        headers=team,
    ).json()
    world.give_consent(person["id"], "follow_up_contact")
    assert (
        client.post(
            f"/follow-ups/{signal['follow_up']['id']}/done",
            json={"outcome": "contacted", "note": f"{word} besucht"},
            headers=team,
        ).status_code
        == 200
    )
    [help_request] = concern["help_requests"]
    announce(
        world,
        HelpRequestUnmatched(
            help_request_id=uuid.UUID(help_request["id"]),
            quarter_id="innenstadt-sued",
            help_kind="company",
            reason="no_candidates",
        ),
    )
    step = {"step": "volunteer_found_otherwise", "note": f"{word} Nachbarin"}
    eventually(
        lambda: (
            client.post(f"/help-requests/{help_request['id']}/next-step", json=step, headers=team).status_code == 200
        ),
        what="the unmatched help request to take a next step",
    )
    closed = client.post(
        f"/concerns/{concern['id']}/close", json={"outcome": "resolved", "note": f"{word} zu"}, headers=team
    )
    assert closed.status_code == 200, closed.text
    assert (
        client.post(f"/concerns/{concern['id']}/reopen", json={"note": f"{word} wieder"}, headers=team).status_code
        == 200
    )
    assert coordinator
    return {"person": person, "concern": concern}


def test_erasing_a_person_leaves_the_canary_nowhere_and_the_other_persons_data_untouched(
    world: Any, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    team = world.staff()
    erased = a_life_in_intake(world, CANARY, team)
    kept = a_life_in_intake(world, KEEP, team)
    engine = create_engine(world.intake.settings.database_url)
    try:
        for life, word in ((erased, CANARY), (kept, KEEP)):
            plant(engine, uuid.UUID(life["person"]["id"]), [uuid.UUID(life["concern"]["id"])], word)

        answer = world.client.delete(f"/persons/{erased['person']['id']}", headers=world.coordinator())
        assert answer.status_code == 200, answer.text
        world.events("qn.intake.person.erased.v1", expect=1, person_ref=erased["person"]["person_ref"])

        stored = everything_stored(engine)
    finally:
        engine.dispose()
    # the canary is cut to each column's length; its first five letters are in every copy
    assert CANARY[:5] not in stored, [line for line in stored.splitlines() if CANARY[:5] in line][:5]
    assert KEEP[:5] in stored  # the other person keeps what the team knows of them
    assert stored.count(KEEP[:5]) > 20, "the canary reached the other person's rows (a test of the test)"

    for message in world.messages():
        assert CANARY[:5] not in repr(message.body) + repr(message.headers) + message.subject
        assert KEEP[:5] not in repr(message.body) + repr(message.headers) + message.subject
    out, err = capfd.readouterr()
    for logged in (out, err, caplog.text):
        assert CANARY[:5] not in logged and KEEP[:5] not in logged


def test_every_text_column_is_either_personal_data_or_declared_free_of_it() -> None:
    """A new text column must be marked PERSONAL (erasure blanks it) or be added to NOT_PERSONAL
    with a reason; otherwise the canary test above finds it."""
    marked = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns if c.info.get("personal")}
    planted = {f"{t}.{c}" for t, columns in personal_columns().items() for c in columns}
    unmarked = sorted(planted - marked)
    assert not unmarked, f"text columns neither marked PERSONAL nor declared free of personal data: {unmarked}"
    assert not marked & set(NOT_PERSONAL), "a column is both personal and declared free of it"
    assert set(personal_columns()) <= set(rows_about(uuid.uuid4(), [])), "a table with personal data has no rule here"
