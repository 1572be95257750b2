"""Idempotent event consumers: a service registers a plain handler per event, and this module
makes it durable, explicitly acknowledged and exactly-once in effect.

    runtime.consume("help-requested", HelpRequested, handlers.propose_match)

    def propose_match(event: HelpRequested, meta: EventMeta, uow: UnitOfWork) -> None:
        ...  # change state, uow.emit(...) -- no commit: the consumer commits

The handler runs in a worker thread inside one transaction that also records the event id for
this consumer; a redelivered event finds its id and is acknowledged without a second effect.
Malformed messages raise `WireFormatError`, which the dead-letter policy treats as permanent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from faststream.nats import NatsMessage

from qn_contracts import Event, EventMeta, decode, decode_meta, event_class_for_type

from .logs import get_logger
from .metrics import EVENTS_CONSUMED
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .runtime import ServiceRuntime

log = get_logger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[E, EventMeta, UnitOfWork], None]
AnyHandler = Callable[[Event, EventMeta, UnitOfWork], None]


def _run_once(runtime: ServiceRuntime, consumer: str, meta: EventMeta, effect: Callable[[UnitOfWork], None]) -> str:
    with runtime.unit_of_work() as uow:
        if not uow.first_delivery(consumer, meta.id):
            return "duplicate"
        effect(uow)
        uow.commit()
        return "processed"


def register_consumer(runtime: ServiceRuntime, name: str, event_class: type[E], handler: Handler[E]) -> None:
    """A durable consumer `<service>-<name>` of one event type."""
    consumer = f"{runtime.settings.service_name}-{name}"

    @runtime.messaging.subscriber(name, event_class.spec.subject, description=event_class.spec.summary)
    async def on_message(msg: NatsMessage) -> None:
        event, meta = decode(event_class, msg.body, dict(msg.headers or {}))
        outcome = await anyio.to_thread.run_sync(
            _run_once, runtime, consumer, meta, lambda uow: handler(event, meta, uow)
        )
        EVENTS_CONSUMED.labels(consumer=consumer, outcome=outcome).inc()
        log.debug("event_consumed", consumer=consumer, type=meta.type, event_id=str(meta.id), outcome=outcome)


def register_stream_consumer(
    runtime: ServiceRuntime,
    name: str,
    subject: str,
    handler: AnyHandler,
    *,
    on_unknown: Callable[[EventMeta, UnitOfWork], None] | None = None,
) -> None:
    """A durable consumer of every event on `subject` (wildcards allowed), decoded by its
    CloudEvents type. Types this version of the contracts does not know are acknowledged (a newer
    producer may publish them) and passed to `on_unknown`, if given."""
    consumer = f"{runtime.settings.service_name}-{name}"

    @runtime.messaging.subscriber(name, subject, description=f"Every event on {subject}")
    async def on_message(msg: NatsMessage) -> None:
        headers = dict(msg.headers or {})
        meta = decode_meta(headers)
        event_class = event_class_for_type(meta.type)
        if event_class is None:
            log.info("event_type_unknown", consumer=consumer, type=meta.type, event_id=str(meta.id))
            effect: Callable[[UnitOfWork], Any] = (
                (lambda uow: on_unknown(meta, uow)) if on_unknown else (lambda uow: None)
            )
        else:
            event, _ = decode(event_class, msg.body, headers)
            effect = lambda uow: handler(event, meta, uow)  # noqa: E731
        outcome = await anyio.to_thread.run_sync(_run_once, runtime, consumer, meta, effect)
        EVENTS_CONSUMED.labels(consumer=consumer, outcome=outcome).inc()
