"""At-least-once delivery, counted exactly once: redelivered, unknown and malformed events."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import nats
import pytest

from qn_contracts import WireMessage
from qn_contracts.intake import ConcernRecorded
from qn_contracts.scheduling import BookingConfirmed, SiteUpdated
from qn_testkit.streams import read_stream
from qn_testkit.waiting import eventually

pytestmark = pytest.mark.integration


def concern(*topics: str) -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="phone", topics=list(topics), urgency="soon"
    )


def booking(site: str) -> BookingConfirmed:
    return BookingConfirmed(
        booking_id=uuid.uuid4(),
        site_id=site,
        room_id="gruppe",
        starts_at=datetime.fromisoformat("2026-11-24T10:00:00+01:00"),
        ends_at=datetime.fromisoformat("2026-11-24T12:00:00+01:00"),
    )


async def publish_all(url: str, messages: list[WireMessage]) -> None:
    nc = await nats.connect(url)
    try:
        for message in messages:
            await nc.jetstream().publish(message.subject, message.body, headers=message.headers)
    finally:
        await nc.close()


def test_the_same_event_stored_twice_on_the_stream_counts_once(reporting) -> None:
    message = reporting.wire(concern("einsamkeit", "alter"), "2026-11-05T10:00:00+00:00")
    # as after a producer crash between publish and ack: same ce-id, stored twice by the stream
    reporting.send(message, **{"Nats-Msg-Id": "first-attempt"})
    reporting.send(message, **{"Nats-Msg-Id": "second-attempt"})
    reporting.publish(concern("wohnen"), at="2026-12-01T10:00:00+00:00")  # comes after both copies
    reporting.wait_for_total("concern.recorded", 1, **{"from": "2026-12"})

    stored = [m for m in read_stream(reporting.nats_url, "QN_INTAKE") if m.headers["ce-id"] == message.headers["ce-id"]]
    assert len(stored) == 2
    november = reporting.counts(metric="concern.recorded", to="2026-11")
    assert {r["topic"]: r["count"] for r in november["rows"]} == {"*": 1, "alter": 1, "einsamkeit": 1}


def test_an_unknown_event_type_is_acknowledged_and_ignored_never_a_metric(reporting) -> None:
    known = reporting.wire(concern("einsamkeit"))
    headers = {
        **known.headers,
        "ce-id": str(uuid.uuid4()),
        "ce-type": "qn.intake.concern.escalated.v1",
        "ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.concern.escalated",
        "ce-time": "2026-10-31T23:30:00+00:00",
    }
    headers["Nats-Msg-Id"] = headers["ce-id"]
    reporting.send(WireMessage("qn.v1.intake.concern.escalated", b'{"level": 2}', headers))
    reporting.send(known)
    reporting.wait_for_total("concern.recorded", 1)

    # acknowledged: reporting's consumer has nothing left pending, and nothing was dead-lettered
    eventually(lambda: reporting.pending("reporting-intake-events") == 0, what="the unknown event acknowledged")
    assert read_stream(reporting.nats_url, "QN_DEADLETTER") == []
    catalogue = reporting.client.get("/metrics-catalogue", headers=reporting.committee()).json()
    assert "qn.intake.concern.escalated.v1" not in str(catalogue)
    assert (
        reporting.client.get(
            "/counts", params={"metric": "unknown:qn.intake.concern.escalated.v1"}, headers=reporting.office()
        ).status_code
        == 422
    )


def test_a_malformed_concern_is_dead_lettered_with_its_reason_and_the_next_one_counts(reporting) -> None:
    valid = reporting.wire(concern("einsamkeit"))
    reporting.send(WireMessage(valid.subject, b'{"concern_id": "not a uuid"}', valid.headers), **{"Nats-Msg-Id": "bad"})
    reporting.send(reporting.wire(concern("schulden")))
    reporting.wait_for_total("concern.recorded", 1)

    dead = eventually(lambda: read_stream(reporting.nats_url, "QN_DEADLETTER"), what="a dead letter")
    assert len(dead) == 1
    assert dead[0].headers["qn-dlq-consumer"] == "reporting-intake-events"
    assert dead[0].headers["qn-dlq-subject"] == "qn.v1.intake.concern.recorded"
    assert "concern_id" in dead[0].headers["qn-dlq-reason"]
    assert reporting.counts(metric="concern.recorded", topic="schulden")["total"] == 1
    assert reporting.counts(metric="concern.recorded", topic="einsamkeit")["total"] == 0


def test_a_batch_handled_concurrently_counts_every_event_and_every_booking_finds_its_site(start_reporting) -> None:
    with start_reporting() as reporting:  # declares the streams and reporting's consumers
        wire = reporting.wire
    site = SiteUpdated(site_id="rosseltreff", name="Rosseltreff", quarter_id="rosslau", rooms=[], opening_hours=[])
    bookings = [wire(booking("rosseltreff")) for _ in range(20)]
    # stored while reporting is down, so that they are fetched in batches and handled at once
    backlog = [wire(concern("einsamkeit", "alter")) for _ in range(40)] + bookings[:10] + [wire(site)] + bookings[10:]
    asyncio.run(publish_all(reporting.nats_url, backlog))

    with start_reporting() as reporting:
        reporting.wait_for_total("concern.recorded", 40)
        reporting.wait_for_total("booking.confirmed", 20)
        reporting.wait_for_total("site.updated", 1)
        topics = reporting.counts(metric="concern.recorded", group_by="topic")
        assert {r["topic"]: r["count"] for r in topics["rows"]} == {"*": 40, "alter": 40, "einsamkeit": 40}
        by_quarter = reporting.counts(metric="booking.confirmed", group_by="quarter_id")
        assert [(r["quarter_id"], r["count"]) for r in by_quarter["rows"]] == [("rosslau", 20)]


def test_a_concern_with_a_channel_a_newer_intake_added_is_counted_not_dead_lettered(reporting) -> None:
    """Decision 0009: code lists grow within v1, so a newer member must not stop an older consumer."""
    newer = reporting.wire(concern("einsamkeit"))
    body = newer.body.replace(b'"channel":"phone"', b'"channel":"messenger"')
    assert b"messenger" in body
    reporting.send(WireMessage(newer.subject, body, newer.headers))
    reporting.wait_for_total("concern.recorded", 1)
    assert read_stream(reporting.nats_url, "QN_DEADLETTER") == []
