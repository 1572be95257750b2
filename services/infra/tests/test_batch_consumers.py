"""Batch consumers on a real nats-server and database: a batch is one transaction, a message
that fails inside it neither blocks nor loses the others, a consumer killed between the commit
and the acks of a batch has each effect once, and a message that disagrees with the contract is
dead-lettered with the reason -- never handled."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy import func, select

from qn_contracts import EventMeta, WireMessage, encode
from qn_contracts.intake import ConcernRecorded
from qn_infra.consumers import Delivery
from qn_infra.dead_letter import PermanentError
from qn_infra.unit_of_work import UnitOfWork
from qn_testkit.probe import Probe, build_probe, started, wait_for
from qn_testkit.probe_process import KILLED_EXIT_CODE
from qn_testkit.streams import consumer_backlog, publish_raw, stream_messages

pytestmark = pytest.mark.integration

TESTS = Path(__file__).resolve().parents[3] / "tests"


def concern(topic: str = "einsamkeit") -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=[topic], urgency="soon"
    )


def wire(event: ConcernRecorded) -> WireMessage:
    return encode(event, EventMeta.for_event(event))


async def store_all(url: str, messages: Sequence[WireMessage]) -> None:
    """Stores messages on the stream (pipelined), as a relay would."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        futures = [await js.publish_async(m.subject, m.body, headers=dict(m.headers)) for m in messages]
        await asyncio.gather(*futures)
    finally:
        await nc.close()


async def declare_streams(url: str) -> None:
    from qn_infra.messaging import ensure_streams

    nc = await nats.connect(url)
    try:
        await ensure_streams(nc.jetstream())
    finally:
        await nc.close()


def counting(probe: Probe, calls: list[int], poison: set[str] | None = None, transient: set[str] | None = None):  # type: ignore[no-untyped-def]
    """A batch handler that counts each concern's effect; a concern in `poison` always fails
    permanently, one in `transient` fails once with a transient error."""
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    failed_once: set[str] = set()

    def handle(deliveries: Sequence[Delivery[Any]], uow: UnitOfWork) -> None:
        calls.append(len(deliveries))
        for delivery in deliveries:
            key = str(delivery.event.concern_id)
            if poison and key in poison:
                raise PermanentError(f"concern {key} cannot be handled")
            if transient and key in transient and key not in failed_once:
                failed_once.add(key)
                raise RuntimeError("a passing hiccup")
        insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(probe.effects)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={"n": probe.effects.c.n + 1})
        uow.session.execute(statement, [{"key": str(d.event.concern_id), "n": 1} for d in deliveries])

    return handle


def effects(probe: Probe) -> dict[str, int]:
    with probe.runtime.engine.connect() as connection:
        return dict(connection.execute(select(probe.effects.c.key, probe.effects.c.n)).all())  # type: ignore[arg-type]


async def test_stored_events_are_handled_in_batches_each_once(probe_factory, nats_server, cleanup) -> None:
    await declare_streams(nats_server.url)
    events = [concern() for _ in range(300)]
    await store_all(nats_server.url, [wire(e) for e in events])
    probe = probe_factory(consumer_batch_size=100)
    calls: list[int] = []
    probe.runtime.consume_batch("concerns", ConcernRecorded.spec.subject, counting(probe, calls))
    cleanup.append(await started(probe))

    await probe.until(lambda: len(effects(probe)) == 300)
    assert set(effects(probe).values()) == {1}
    assert max(calls) > 1, f"the handler got batches, not single events: {calls}"
    assert sum(calls) == 300


async def test_a_poisoned_message_in_a_batch_is_dead_lettered_and_the_others_take_effect(
    probe_factory, nats_server, cleanup
) -> None:
    await declare_streams(nats_server.url)
    events = [concern() for _ in range(40)]
    poisoned = str(events[17].concern_id)
    hiccup = str(events[31].concern_id)
    await store_all(nats_server.url, [wire(e) for e in events])
    probe = probe_factory(consumer_batch_size=64)
    calls: list[int] = []
    probe.runtime.consume_batch(
        "concerns", ConcernRecorded.spec.subject, counting(probe, calls, poison={poisoned}, transient={hiccup})
    )
    cleanup.append(await started(probe))

    await probe.until(lambda: len(effects(probe)) == 39)
    counted = effects(probe)
    assert poisoned not in counted and set(counted.values()) == {1}
    dead = await wait_for(lambda: stream_messages(nats_server.url, "QN_DEADLETTER"), what="a dead letter")
    assert len(dead) == 1  # type: ignore[arg-type]
    assert dead[0].headers["ce-id"] and poisoned in dead[0].headers["qn-dlq-reason"]  # type: ignore[index]
    assert dead[0].headers["qn-dlq-consumer"] == "probe-concerns"  # type: ignore[index]


async def test_a_consumer_killed_between_the_commit_and_the_acks_of_a_batch_has_each_effect_once(
    nats_server, databases
) -> None:
    await declare_streams(nats_server.url)
    events = [concern() for _ in range(300)]
    await store_all(nats_server.url, [wire(e) for e in events])
    database_url = databases.create("probe")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "qn_testkit.probe_process", database_url, nats_server.url]

    dying = subprocess.run([*command, "--die-after-commit"], env=env, timeout=60, capture_output=True)
    assert dying.returncode == KILLED_EXIT_CODE, dying.stderr.decode()[-2000:]
    runtime, effect_table, _ = build_probe(database_url, nats_server.url)  # to read what the process did
    probe = Probe(runtime, effect_table)
    first_batch = effects(probe)
    assert 0 < len(first_batch) < 300, "one batch committed before the process died"
    assert await consumer_backlog(nats_server.url, "QN_INTAKE", "probe-concerns") == 300, "and none was acked"

    restarted = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        await probe.until(lambda: len(effects(probe)) == 300, timeout=60)
        await wait_for(
            lambda: _drained(nats_server.url), what="every message acknowledged after the restart", timeout=30
        )
    finally:
        restarted.terminate()
        restarted.wait(15)
        runtime.engine.dispose()
    assert set(effects(probe).values()) == {1}, "the redelivered first batch had no second effect"
    with probe.runtime.engine.connect() as connection:
        processed = connection.execute(select(func.count()).select_from(probe.runtime.processed)).scalar()
    assert processed == 300


async def _drained(url: str) -> bool:
    return await consumer_backlog(url, "QN_INTAKE", "probe-concerns") == 0


def _forged(event: ConcernRecorded, subject: str | None = None, **headers: str) -> WireMessage:
    message = wire(event)
    changed = {**message.headers, **headers}
    changed["Nats-Msg-Id"] = str(uuid.uuid4())
    return WireMessage(subject or message.subject, message.body, changed)


async def test_a_message_whose_parts_disagree_with_the_contract_is_dead_lettered_never_handled(
    probe_factory, nats_server, cleanup
) -> None:
    probe = probe_factory(consumer_max_event_bytes=4096)
    calls: list[int] = []
    probe.runtime.consume_batch("intake-events", "qn.v1.intake.>", counting(probe, calls), types=[ConcernRecorded])
    cleanup.append(await started(probe))
    forged = {
        "ce-source": _forged(concern(), **{"ce-source": "/attacker"}),
        "published on": _forged(concern(), subject="qn.v1.intake.referral.requested"),
        "ce-dataschema": _forged(concern(), **{"ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.signal.raised"}),
        "ce-dataclassification": _forged(concern(), **{"ce-dataclassification": "public"}),
        "is not of the form": _forged(concern(), **{"ce-type": "concern.recorded"}),
    }
    big = concern()
    padded = wire(big)
    oversized = WireMessage(padded.subject, padded.body[:-1] + b', "padding": "' + b"x" * 5000 + b'"}', padded.headers)
    unknown = _forged(
        concern(),
        subject="qn.v1.intake.concern.escalated",
        **{
            "ce-type": "qn.intake.concern.escalated.v1",
            "ce-dataschema": "urn:quartiersnetz:schema:qn.v1.intake.concern.escalated",
        },
    )
    good = concern()
    for message in [*forged.values(), oversized, unknown, wire(good)]:
        await publish_raw(nats_server.url, message.subject, message.body, message.headers)

    await probe.until(lambda: len(effects(probe)) == 1)
    assert list(effects(probe)) == [str(good.concern_id)], "only the event that agrees with the contract counted"
    expected = len(forged) + 1

    async def all_dead() -> list[Any]:
        dead = await stream_messages(nats_server.url, "QN_DEADLETTER")
        return dead if len(dead) >= expected else []

    dead = await wait_for(all_dead, what=f"{expected} dead letters")
    reasons = sorted(m.headers["qn-dlq-reason"] for m in dead)  # type: ignore[attr-defined]
    assert len(reasons) == expected, reasons
    for part in forged:
        assert any(part in reason for reason in reasons), (part, reasons)
    assert any("more than the 4096" in reason for reason in reasons), reasons
    # the unknown type with consistent parts: acknowledged and ignored, not dead-lettered
    assert not any("escalated" in m.subject for m in dead)  # type: ignore[attr-defined]
    await wait_for(
        lambda: _backlog_is(nats_server.url, "probe-intake-events", 0), what="everything acknowledged or terminated"
    )


async def _backlog_is(url: str, durable: str, n: int) -> bool:
    return await consumer_backlog(url, "QN_INTAKE", durable) == n


async def test_a_consumer_loop_that_fails_is_started_again_and_its_events_are_handled(
    probe_factory, nats_server, cleanup, monkeypatch
) -> None:
    from prometheus_client import REGISTRY

    import qn_infra.consumer_loop as consumer_loop

    await declare_streams(nats_server.url)
    events = [concern() for _ in range(20)]
    await store_all(nats_server.url, [wire(e) for e in events])
    # a fault in the loop itself, not in a handler (which the batch rules cover): reading the
    # first fetched message fails once -- ended silently, the loop would handle nothing more
    read = consumer_loop._raw
    faults: list[str] = []

    def fails_once(message: Any, stream: str) -> Any:
        if not faults:
            faults.append(message.subject)
            raise RuntimeError("a fault nobody foresaw")
        return read(message, stream)

    monkeypatch.setattr(consumer_loop, "_raw", fails_once)
    restarts = {"consumer": "probe-concerns"}
    before = REGISTRY.get_sample_value("qn_consumer_loop_restarts_total", restarts) or 0.0
    # the batch that was fetched when the loop failed comes back after ack_wait
    probe = probe_factory(consumer_batch_size=8, consumer_ack_wait_seconds=2.0)
    calls: list[int] = []
    probe.runtime.consume_batch("concerns", ConcernRecorded.spec.subject, counting(probe, calls))
    cleanup.append(await started(probe))

    await probe.until(lambda: len(effects(probe)) == 20)
    assert faults and set(effects(probe).values()) == {1}
    assert REGISTRY.get_sample_value("qn_consumer_loop_restarts_total", restarts) == before + 1
