"""A trace follows a request into its events and their consumers: an event emitted under a span
carries its trace context, and the consumer's span links to it. Without an SDK nothing changes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from qn_contracts import EventMeta
from qn_contracts.intake import ConcernRecorded
from qn_infra.embedded_broker import NatsServer
from qn_infra.tracing import use_tracer_provider
from qn_infra.unit_of_work import UnitOfWork
from qn_testkit.probe import Probe, started, wait_for
from qn_testkit.streams import stream_messages

pytestmark = pytest.mark.integration


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    use_tracer_provider(provider)  # this test's provider, not the process-wide one
    yield provider, exporter
    use_tracer_provider(None)
    provider.shutdown()


def concern() -> ConcernRecorded:
    return ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="walk_in", topics=["einsamkeit"], urgency="soon"
    )


async def test_the_consumers_span_links_to_the_request_that_emitted_the_event(
    probe_factory: Any, nats_server: NatsServer, cleanup: list[Probe], spans: tuple[TracerProvider, Any]
) -> None:
    provider, exporter = spans
    handled: list[str] = []

    def handler(event: ConcernRecorded, meta: EventMeta, uow: UnitOfWork) -> None:
        handled.append(str(event.concern_id))

    probe = probe_factory()
    probe.runtime.consume("traced", ConcernRecorded, handler)
    cleanup.append(await started(probe))

    event = concern()
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("POST /concerns") as request, probe.runtime.unit_of_work() as uow:
        uow.emit(event)
        uow.commit()
    trace_id = request.get_span_context().trace_id

    async def consumed() -> bool:
        return str(event.concern_id) in handled

    await wait_for(consumed, what="the event handled")
    [stored] = await stream_messages(nats_server.url, "QN_INTAKE")
    assert stored.headers["traceparent"].split("-")[1] == f"{trace_id:032x}"

    async def consumer_span() -> list[Any]:
        return [s for s in exporter.get_finished_spans() if s.name == "process qn.v1.intake.concern.recorded"]

    [span] = await wait_for(consumer_span, what="the consumer's span")  # type: ignore[misc]
    assert [link.context.trace_id for link in span.links] == [trace_id]
    assert span.attributes["messaging.consumer.group.name"] == "probe-traced"


async def test_without_a_span_no_trace_context_is_added(
    probe_factory: Any, nats_server: NatsServer, cleanup: list[Probe]
) -> None:
    probe = await started(probe_factory())
    cleanup.append(probe)
    with probe.runtime.unit_of_work() as uow:
        uow.emit(concern())
        uow.commit()

    async def stored() -> list[Any]:
        return await stream_messages(nats_server.url, "QN_INTAKE")

    [message] = await wait_for(stored, what="the event on the stream")  # type: ignore[misc]
    assert "traceparent" not in message.headers
