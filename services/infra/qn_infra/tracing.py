"""OpenTelemetry trace context through the events: an event emitted while a span is active (a
request instrumented by OpenTelemetry, or a consumer's batch) carries that span's W3C
`traceparent` in its headers, and a consumer's batch span links to the spans of the events it
handles -- so a trace follows a request into its events and their consumers.

Only the OpenTelemetry API is used here: without an SDK configured (the embedded default, the
tests) every call is a no-op. An operator enables tracing by running a service under the SDK, e.g.
`opentelemetry-instrument python -m qn_intake serve` with an exporter and the FastAPI
instrumentation installed. Only the trace context travels, never baggage: baggage is free-form
and events stay in the streams for years."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
TRACEPARENT = "traceparent"
_provider: trace.TracerProvider | None = None


def use_tracer_provider(provider: trace.TracerProvider | None) -> None:
    """Spans of the consumers go to `provider` instead of the global one (None: the global one,
    which the SDK or `opentelemetry-instrument` sets). For tests and embedding applications."""
    global _provider
    _provider = provider


def add_trace_context(headers: dict[str, str]) -> None:
    """Adds the current span's `traceparent` (and `tracestate`) to an event's headers, if any span is active."""
    if trace.get_current_span().get_span_context().is_valid:
        _PROPAGATOR.inject(headers)


def _linked(headers: Mapping[str, str]) -> trace.Link | None:
    if TRACEPARENT not in headers:
        return None
    context = trace.get_current_span(_PROPAGATOR.extract(dict(headers))).get_span_context()
    return trace.Link(context) if context.is_valid else None


@contextmanager
def consuming_batch(consumer: str, subject: str, headers: Sequence[Mapping[str, str]]) -> Iterator[None]:
    """A consumer span around one batch's transaction, linked to the span of each event's producer
    (OpenTelemetry's convention for batches: links, not one parent)."""
    provider = _provider or trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        yield  # no SDK configured: a span would record nothing, and costs ~50 us a batch to make
        return
    links = [link for link in map(_linked, headers) if link is not None]
    tracer = provider.get_tracer("qn_infra")
    with tracer.start_as_current_span(
        f"process {subject}",
        kind=trace.SpanKind.CONSUMER,
        links=links,
        attributes={
            "messaging.system": "nats",
            "messaging.operation.type": "process",
            "messaging.destination.name": subject,
            "messaging.consumer.group.name": consumer,
            "messaging.batch.message_count": len(headers),
        },
    ):
        yield
