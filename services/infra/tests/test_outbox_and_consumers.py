"""The reliability promises, on a real nats-server and database: state and events commit together;
events wait while the broker is away; each event has its effect once; bad messages are
dead-lettered with their reason and do not stop the consumer."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import nats
import pytest
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError

from qn_contracts import EventMeta, encode
from qn_contracts.intake import ConcernRecorded
from qn_infra.outbox import republish
from qn_infra.unit_of_work import UnitOfWork
from qn_testkit.probe import Probe, started, wait_for
from qn_testkit.streams import StoredMessage, publish_raw, stream_messages

pytestmark = pytest.mark.integration


def concern_event() -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["einsamkeit"], urgency="soon"
    )


def count_effect(effects: Table):  # type: ignore[no-untyped-def]
    """A handler that counts how often each concern had an effect."""

    def handler(event: ConcernRecorded, meta: EventMeta, uow: UnitOfWork) -> None:
        insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(effects).values(key=str(event.concern_id), n=1)
        uow.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"n": effects.c.n + 1}))

    return handler


async def concern_ids(url: str) -> list[str]:
    return [m.body["concern_id"] for m in await stream_messages(url, "QN_INTAKE")]


async def consumer_delivered(url: str, durable: str) -> int:
    nc = await nats.connect(url)
    try:
        info = await nc.jetstream().consumer_info("QN_INTAKE", durable)
        return int(info.delivered.stream_seq) if info.num_ack_pending == 0 else 0
    finally:
        await nc.close()


async def dead_letters(url: str, count: int) -> list[StoredMessage]:
    async def enough() -> list[StoredMessage]:
        messages = await stream_messages(url, "QN_DEADLETTER")
        return messages if len(messages) >= count else []

    return await wait_for(enough, what=f"{count} dead letters")  # type: ignore[return-value]


async def publish(url: str, event: ConcernRecorded, **headers: str) -> None:
    message = encode(event, EventMeta.for_event(event))
    await publish_raw(url, message.subject, message.body, {**message.headers, **headers})


async def with_consumer(probe_factory, cleanup, handler_for, **settings) -> Probe:  # type: ignore[no-untyped-def]
    probe = probe_factory(**settings)
    probe.runtime.consume("concerns", ConcernRecorded, handler_for(probe))
    cleanup.append(await started(probe))
    return probe


async def test_events_committed_while_the_broker_is_down_are_published_when_it_returns(
    probe_factory, nats_server, cleanup
) -> None:
    probe = await started(probe_factory())
    cleanup.append(probe)
    nats_server.kill()
    events = [concern_event() for _ in range(5)]
    for event in events:
        with probe.runtime.unit_of_work() as uow:
            uow.emit(event)
            uow.commit()
    nats_server.start()
    wanted = sorted(str(e.concern_id) for e in events)

    async def all_published() -> bool:
        return sorted(await concern_ids(nats_server.url)) == wanted

    await wait_for(all_published, what="every event on the stream exactly once")


async def test_events_a_relay_could_not_send_at_all_are_given_back_at_once_not_after_their_lease(
    probe_factory, nats_server, cleanup
) -> None:
    """A relay that leased rows and then found no connection at all (started before its broker
    connected, or the connection went) gives the rows back with the error -- it does not leave
    them leased, and so unpublished, for the lease's 30 seconds."""
    probe = probe_factory()
    event = concern_event()
    with probe.runtime.unit_of_work() as uow:
        uow.emit(event)
        uow.commit()
    with pytest.raises(Exception, match="connect"):
        await probe.runtime.relay.publish_pending()  # the broker is not connected yet
    outbox = probe.runtime.outbox
    with probe.runtime.engine.connect() as connection:
        row = connection.execute(select(outbox.c.lease_until, outbox.c.attempts, outbox.c.last_error)).one()
    assert row.lease_until is None and row.attempts == 1 and "connect" in row.last_error

    cleanup.append(await started(probe))

    async def published() -> list[str]:
        return await concern_ids(nats_server.url)

    assert await wait_for(published, timeout=10, what="the event published well within its lease") == [
        str(event.concern_id)
    ]


async def test_a_rolled_back_transaction_publishes_nothing(probe_factory, nats_server, cleanup) -> None:
    probe = await started(probe_factory())
    cleanup.append(probe)
    with probe.runtime.unit_of_work() as uow:
        uow.emit(concern_event())  # leaving the block without commit() rolls back
    kept = concern_event()
    with probe.runtime.unit_of_work() as uow:
        uow.emit(kept)
        uow.commit()

    async def kept_published() -> list[str]:
        return await concern_ids(nats_server.url)

    await wait_for(kept_published)
    await asyncio.sleep(0.5)  # a late publish of the rolled-back event would show up by now
    assert await concern_ids(nats_server.url) == [str(kept.concern_id)]


async def test_a_redelivered_event_has_its_effect_once(probe_factory, nats_server, cleanup) -> None:
    probe = await with_consumer(probe_factory, cleanup, lambda p: count_effect(p.effects))
    event = concern_event()
    message = encode(event, EventMeta.for_event(event))
    # the same event twice on the stream, as after a producer crash between publish and ack
    for msg_id in ("first", "second"):
        await publish_raw(nats_server.url, message.subject, message.body, {**message.headers, "Nats-Msg-Id": msg_id})
    later = concern_event()
    await publish(nats_server.url, later)
    await probe.until(lambda: probe.effect_count(str(later.concern_id)) == 1)
    assert probe.effect_count(str(event.concern_id)) == 1


async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_consumer_goes_on(
    probe_factory, nats_server, cleanup
) -> None:
    probe = await with_consumer(probe_factory, cleanup, lambda p: count_effect(p.effects))
    good = concern_event()
    valid = encode(good, EventMeta.for_event(good))
    await publish_raw(
        nats_server.url, valid.subject, b'{"concern_id": "not a uuid"}', {**valid.headers, "Nats-Msg-Id": "bad-1"}
    )
    await publish_raw(nats_server.url, valid.subject, b"\x00\x01 not json", {"Nats-Msg-Id": "bad-2"})
    await publish_raw(nats_server.url, valid.subject, valid.body, valid.headers)
    await probe.until(lambda: probe.effect_count(str(good.concern_id)) == 1)

    dead = await dead_letters(nats_server.url, 2)
    reasons = [m.headers["qn-dlq-reason"] for m in dead]
    assert any("concern_id" in r for r in reasons), reasons
    assert any("ce-specversion" in r for r in reasons), reasons
    for message in dead:
        assert message.headers["qn-dlq-consumer"] == "probe-concerns"
        assert message.headers["qn-dlq-subject"] == valid.subject
        assert message.subject == f"qn.dlq.probe-concerns.{valid.subject}"
    wrong_body = next(m for m in dead if "concern_id" in m.headers["qn-dlq-reason"])
    assert wrong_body.headers["ce-type"] == valid.headers["ce-type"], "the original headers travel along"


async def test_a_transient_failure_is_retried_until_it_succeeds(probe_factory, nats_server, cleanup) -> None:
    attempts: list[int] = []

    def flaky(probe: Probe):  # type: ignore[no-untyped-def]
        effect = count_effect(probe.effects)

        def handler(event: ConcernRecorded, meta: EventMeta, uow: UnitOfWork) -> None:
            attempts.append(1)
            if len(attempts) < 3:
                raise OperationalError("UPDATE effects", {}, Exception("database is restarting"))
            effect(event, meta, uow)

        return handler

    probe = await with_consumer(probe_factory, cleanup, flaky)
    event = concern_event()
    await publish(nats_server.url, event)
    await probe.until(lambda: probe.effect_count(str(event.concern_id)) == 1)
    assert len(attempts) == 3
    assert await stream_messages(nats_server.url, "QN_DEADLETTER") == []


async def test_a_message_that_always_fails_is_dead_lettered_after_max_deliver(
    probe_factory, nats_server, cleanup
) -> None:
    def broken(probe: Probe):  # type: ignore[no-untyped-def]
        def handler(event: ConcernRecorded, meta: EventMeta, uow: UnitOfWork) -> None:
            raise RuntimeError("bug in handler")

        return handler

    await with_consumer(probe_factory, cleanup, broken, consumer_max_deliver=3)
    await publish(nats_server.url, concern_event())
    dead = await dead_letters(nats_server.url, 1)
    assert dead[0].headers["qn-dlq-deliveries"] == "3"
    assert "gave up after 3 deliveries" in dead[0].headers["qn-dlq-reason"]
    assert "bug in handler" in dead[0].headers["qn-dlq-reason"]


async def test_a_republished_range_reaches_the_stream_again_and_consumers_skip_it(
    probe_factory, nats_server, cleanup
) -> None:
    probe = await with_consumer(probe_factory, cleanup, lambda p: count_effect(p.effects))
    event = concern_event()
    with probe.runtime.unit_of_work() as uow:
        uow.emit(event)
        uow.commit()
    await probe.until(lambda: probe.effect_count(str(event.concern_id)) == 1)
    outbox = probe.runtime.outbox
    with probe.runtime.engine.begin() as connection:
        connection.execute(update(outbox).values(created_at=datetime.now(UTC) - timedelta(hours=1)))

    # within the stream's duplicate window: the copy must still be stored, not dropped
    assert republish(probe.runtime.engine, outbox, since=datetime.now(UTC) - timedelta(days=1)) == 1
    probe.runtime.relay.notify()

    async def two_copies_on_the_stream() -> bool:
        return await concern_ids(nats_server.url) == [str(event.concern_id)] * 2

    await wait_for(two_copies_on_the_stream, what="the republished copy on the stream")
    copies = await stream_messages(nats_server.url, "QN_INTAKE")
    assert copies[0].headers["ce-id"] == copies[1].headers["ce-id"], "the event keeps its identity"
    assert copies[0].headers["Nats-Msg-Id"] != copies[1].headers["Nats-Msg-Id"]

    async def consumer_saw_the_copy() -> bool:
        js_info = await consumer_delivered(nats_server.url, "probe-concerns")
        return js_info >= 2

    await wait_for(consumer_saw_the_copy, what="the consumer received the copy")
    await asyncio.sleep(0.3)
    assert probe.effect_count(str(event.concern_id)) == 1, "the consumer skipped the copy it had handled"


async def test_published_events_older_than_the_retention_are_purged(probe_factory, nats_server, cleanup) -> None:
    probe = await started(probe_factory())
    cleanup.append(probe)
    for _ in range(3):
        with probe.runtime.unit_of_work() as uow:
            uow.emit(concern_event())
            uow.commit()

    async def three_published() -> bool:
        return len(await concern_ids(nats_server.url)) == 3

    await wait_for(three_published)
    outbox = probe.runtime.outbox
    with probe.runtime.engine.begin() as connection:
        first = connection.execute(select(outbox.c.id).order_by(outbox.c.id)).scalars().first()
        connection.execute(
            update(outbox).where(outbox.c.id == first).values(published_at=datetime.now(UTC) - timedelta(days=30))
        )
    assert probe.runtime.relay.purge_published(datetime.now(UTC) - timedelta(days=7)) == 1
    with probe.runtime.engine.connect() as connection:
        assert len(connection.execute(select(outbox.c.id)).all()) == 2
