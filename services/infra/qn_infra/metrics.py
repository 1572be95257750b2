"""Prometheus metrics every service exposes at `/metrics`. Labels hold route templates, subjects
and consumer names -- never ids or anything a person typed."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "qn_http_requests_total", "HTTP requests by route template and status.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "qn_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EVENTS_PUBLISHED = Counter("qn_events_published_total", "Events the outbox relay published.", ["subject"])
PUBLISH_FAILURES = Counter("qn_outbox_publish_failures_total", "Failed publish attempts of the outbox relay.")
OUTBOX_PENDING = Gauge("qn_outbox_pending", "Committed events not yet published.", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "qn_outbox_oldest_pending_age_seconds",
    "Age of the oldest committed event not yet published (0 when none waits).",
    ["service"],
)
OUTBOX_RELAY_RESTARTS = Counter(
    "qn_outbox_relay_restarts_total",
    "Times the outbox relay's process ended unexpectedly and was started again (outbox_relay_process_exited "
    "in the log).",
    ["service"],
)
CONSUMER_PENDING = Gauge(
    "qn_consumer_pending_messages",
    "Messages in the stream that a durable consumer has not yet been given (its lag), as of its last fetch.",
    ["consumer"],
)
CONSUMER_LOOP_RESTARTS = Counter(
    "qn_consumer_loop_restarts_total",
    "Times a consumer's pull loop failed unexpectedly and was started again (consumer_loop_failed in the log).",
    ["consumer"],
)
EVENTS_CONSUMED = Counter(
    "qn_events_consumed_total",
    "Messages handled by consumers, by outcome: processed, duplicate, retried, dead_lettered.",
    ["consumer", "outcome"],
)


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
