"""What the alerts read, measured on a real broker and database: the outbox's backlog and the age
of its oldest event while the broker is away, and a consumer's lag while it works through a backlog."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

import nats
import pytest
from prometheus_client import REGISTRY

from qn_contracts import EventMeta, encode
from qn_contracts.intake import ConcernRecorded
from qn_infra.clock import TickingClock
from qn_infra.consumers import Delivery
from qn_infra.embedded_broker import NatsServer
from qn_infra.messaging import ensure_streams
from qn_infra.unit_of_work import UnitOfWork
from qn_testkit.databases import DatabaseFactory
from qn_testkit.days import reference_day
from qn_testkit.probe import Probe, build_probe, started, wait_for
from qn_testkit.streams import publish_raw

pytestmark = pytest.mark.integration


def concern() -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["einsamkeit"], urgency="soon"
    )


def metric(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_the_outbox_gauges_tell_the_backlog_and_its_age_while_the_broker_is_away(
    databases: DatabaseFactory, nats_server: NatsServer, cleanup: list[Probe]
) -> None:
    clock = TickingClock(reference_day())
    runtime, effects, _ = build_probe(databases.create("probe"), nats_server.url, clock=clock)
    probe = await started(Probe(runtime, effects))
    cleanup.append(probe)
    nats_server.kill()
    for _ in range(3):
        with runtime.unit_of_work() as uow:
            uow.emit(concern())
            uow.commit()
    clock.advance(minutes=11)

    async def backlog_seen() -> bool:
        age = metric("qn_outbox_oldest_pending_age_seconds", service="probe") or 0
        return metric("qn_outbox_pending", service="probe") == 3 and age >= 11 * 60

    await wait_for(backlog_seen, timeout=30, what="three events waiting, the oldest for 11 minutes")

    nats_server.start()

    async def drained() -> bool:
        return (
            metric("qn_outbox_pending", service="probe") == 0
            and metric("qn_outbox_oldest_pending_age_seconds", service="probe") == 0
        )

    await wait_for(drained, timeout=30, what="the backlog published and the gauges back at 0")


async def test_a_consumers_lag_is_what_the_stream_still_holds_for_it(
    probe_factory: Any, nats_server: NatsServer, cleanup: list[Probe]
) -> None:
    connection = await nats.connect(nats_server.url)
    await ensure_streams(connection.jetstream())
    await connection.close()
    for _ in range(50):
        message = encode(event := concern(), EventMeta.for_event(event))
        await publish_raw(nats_server.url, message.subject, message.body, message.headers)
    release = threading.Event()

    def slow(deliveries: Sequence[Delivery[Any]], uow: UnitOfWork) -> None:
        release.wait(20)  # the first batch waits here until the lag has been looked at

    probe = probe_factory(consumer_batch_size=10)
    probe.runtime.consume_batch("lagging", "qn.v1.intake.>", slow)
    cleanup.append(await started(probe))

    async def lag(expected: float) -> bool:
        return metric("qn_consumer_pending_messages", consumer="probe-lagging") == expected

    await wait_for(lambda: lag(40), timeout=20, what="a lag of 40 behind the first batch of 10")
    release.set()
    await wait_for(lambda: lag(0), timeout=30, what="no lag once all 50 are handled")
