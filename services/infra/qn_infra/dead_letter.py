"""Explicit acknowledgement for every consumer, as a FastStream middleware.

- success: ack;
- malformed message (bad JSON, wrong schema, missing CloudEvents headers) or `PermanentError`:
  publish to the dead-letter stream with the reason and the original headers, then terminate;
- anything else is treated as transient: nak with a growing delay, and on the last allowed
  delivery dead-letter it instead, so nothing is dropped silently when `max_deliver` is reached.

FastStream's default policy would terminate a message on any exception; consumers here are
always registered with `AckPolicy.MANUAL` and this middleware decides."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from faststream import BaseMiddleware
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from qn_contracts import WireFormatError, dead_letter_subject

from .logs import bind_correlation, get_logger
from .metrics import EVENTS_CONSUMED

log = get_logger(__name__)

DlqPublish = Callable[[str, bytes, dict[str, str]], Awaitable[Any]]


class PermanentError(Exception):
    """A message that will never succeed, however often it is retried."""


PERMANENT = (ValidationError, WireFormatError, PermanentError, json.JSONDecodeError, UnicodeDecodeError)


class DeadLetterPolicy:
    """Registered as a broker middleware: `NatsBroker(middlewares=[DeadLetterPolicy(...)])`."""

    def __init__(self, publish: DlqPublish, *, max_deliver: int, backoff: Sequence[float]) -> None:
        self.publish = publish
        self.max_deliver = max_deliver
        self.backoff = tuple(backoff) or (1.0,)

    def __call__(self, msg: Any, /, *, context: Any) -> _DeadLetterScope:
        return _DeadLetterScope(msg, context=context, policy=self)

    def delay(self, delivered: int) -> float:
        return self.backoff[min(delivered, len(self.backoff)) - 1]


class _DeadLetterScope(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, policy: DeadLetterPolicy) -> None:
        super().__init__(msg, context=context)
        self.policy = policy

    async def consume_scope(self, call_next: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
        raw = msg.raw_message
        metadata = raw.metadata
        consumer = metadata.consumer or "unknown"
        headers = dict(raw.headers or {})
        bind_correlation(headers.get("ce-correlationid") or headers.get("ce-id"), headers.get("ce-id"))
        try:
            result = await call_next(msg)
        except PERMANENT as exc:
            await self._dead_letter(msg, consumer, headers, _reason(exc))
            return None
        except Exception as exc:  # noqa: BLE001 -- every other failure is retried, then dead-lettered
            delivered = metadata.num_delivered or 1
            if delivered >= self.policy.max_deliver:
                await self._dead_letter(msg, consumer, headers, f"gave up after {delivered} deliveries: {_reason(exc)}")
                return None
            delay = self.policy.delay(delivered)
            log.warning(
                "event_retry",
                consumer=consumer,
                subject=raw.subject,
                event_id=headers.get("ce-id"),
                delivered=delivered,
                delay_seconds=delay,
                error=_reason(exc),
            )
            EVENTS_CONSUMED.labels(consumer=consumer, outcome="retried").inc()
            await msg.nack(delay=delay)
            return None
        await msg.ack()
        return result

    async def _dead_letter(self, msg: Any, consumer: str, headers: dict[str, str], reason: str) -> None:
        raw = msg.raw_message
        metadata = raw.metadata
        dlq_headers = {
            **{k: v for k, v in headers.items() if k != "Nats-Msg-Id"},
            "qn-dlq-reason": reason[:2000],
            "qn-dlq-consumer": consumer,
            "qn-dlq-subject": raw.subject,
            "qn-dlq-stream": metadata.stream,
            "qn-dlq-stream-sequence": str(metadata.sequence.stream),
            "qn-dlq-deliveries": str(metadata.num_delivered),
            # one dead letter per consumer and stream message, however often this runs
            "Nats-Msg-Id": f"dlq:{consumer}:{metadata.stream}:{metadata.sequence.stream}",
        }
        try:
            await self.policy.publish(dead_letter_subject(consumer, raw.subject), raw.data, dlq_headers)
        except Exception as exc:  # noqa: BLE001 -- keep the message; it comes back after a delay
            log.error("dead_letter_failed", consumer=consumer, subject=raw.subject, error=repr(exc))
            await msg.nack(delay=self.policy.delay(metadata.num_delivered or 1))
            return
        log.error(
            "event_dead_lettered",
            consumer=consumer,
            subject=raw.subject,
            event_id=headers.get("ce-id"),
            stream_sequence=metadata.sequence.stream,
            reason=reason,
        )
        EVENTS_CONSUMED.labels(consumer=consumer, outcome="dead_lettered").inc()
        await msg.reject()


def _reason(exc: BaseException) -> str:
    """What went wrong, without data: validation errors name fields, database errors their kind."""
    if isinstance(exc, DBAPIError):
        # the driver's message may quote values (e.g. a duplicate key); keep only the kind
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc, "code", None) or ""
        return f"database error {type(exc).__name__}/{type(exc.orig).__name__} {code}".strip()
    if isinstance(exc, ValidationError):
        parts = []
        for error in exc.errors()[:5]:
            location = ".".join(str(p) for p in error["loc"])
            parts.append(f"{location}: {error['msg']}")
        return "invalid message: " + "; ".join(parts)
    return f"{type(exc).__name__}: {exc}"
