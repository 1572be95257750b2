"""At-least-once delivery with effects exactly once: redeliveries make no second proposal, and a
malformed message is dead-lettered while the next valid one is still handled."""

from __future__ import annotations

import asyncio
import json

import pytest

from qn_contracts import EventMeta, encode
from qn_testkit.streams import publish_raw, read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration

PROPOSED = "qn.matching.match.proposed.v1"
SUBJECT = "qn.v1.intake.help.requested"


def test_a_redelivered_help_request_makes_one_proposal(matching) -> None:
    matching.register("Renate K.")
    event = matching.help_requested()
    meta = matching.publish(event)
    # the same event stored twice (another Nats-Msg-Id gets past the stream's duplicate window),
    # as after an outbox relay re-sent it later
    matching.publish(event, event_id=meta.id, msg_id=f"resent-{meta.id}")
    assert len([m for m in read_stream(matching.nats_url, "QN_INTAKE") if m.headers["ce-id"] == str(meta.id)]) == 2
    matching.wait_until_consumed()

    assert len(matching.help_request(event.help_request_id)["matches"]) == 1
    assert len(matching.wait_for_event(PROPOSED, help_request_id=str(event.help_request_id))) == 1
    assert read_stream(matching.nats_url, "QN_DEADLETTER") == []


def test_a_second_event_for_the_same_help_request_makes_no_second_request(matching) -> None:
    matching.register("Renate K.")
    matching.register("Dmitri S.")
    event = matching.help_requested()
    matching.publish(event)
    matching.publish(event)  # a new event id, the same help request (e.g. re-sent by hand)
    matching.wait_until_consumed()

    request = matching.help_request(event.help_request_id)
    assert len(request["matches"]) == 1
    listed = matching.client.get("/help-requests", headers=matching.coordinator()).json()
    assert [r["id"] for r in listed] == [str(event.help_request_id)]
    assert len(matching.wait_for_event(PROPOSED, help_request_id=str(event.help_request_id))) == 1
    assert read_stream(matching.nats_url, "QN_DEADLETTER") == []  # skipped, not failed and given up


def test_a_malformed_message_is_dead_lettered_and_the_next_one_is_still_handled(matching) -> None:
    matching.register("Renate K.")
    good = matching.help_requested()
    # right CloudEvents headers, wrong body
    template = matching.help_requested()
    bad_headers = dict(encode(template, EventMeta.for_event(template)).headers)
    bad_body = json.dumps({"help_request_id": "not-a-uuid", "quarter_id": "innenstadt-sued"}).encode()
    asyncio.run(publish_raw(matching.nats_url, SUBJECT, bad_body, bad_headers))
    asyncio.run(publish_raw(matching.nats_url, SUBJECT, b"{not json", {"ce-specversion": "1.0"}))
    matching.publish(good)

    assert matching.help_request(good.help_request_id)["matches"][0]["status"] == "proposed"
    dead = eventually(
        lambda: len(found := read_stream(matching.nats_url, "QN_DEADLETTER")) == 2 and found,
        what="two dead letters",
    )
    by_id = {m.headers.get("ce-id"): m for m in dead}
    schema_error = by_id[bad_headers["ce-id"]]
    assert schema_error.subject == f"qn.dlq.matching-help-requested.{SUBJECT}"
    assert "help_request_id" in schema_error.headers["qn-dlq-reason"]
    assert schema_error.headers["qn-dlq-consumer"] == "matching-help-requested"
    assert schema_error.body == json.loads(bad_body)
    assert "ce-id: missing" in by_id[None].headers["qn-dlq-reason"]
    matching.wait_until_consumed()
    assert len(matching.client.get("/help-requests", headers=matching.coordinator()).json()) == 1
