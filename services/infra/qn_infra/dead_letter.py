"""The dead-letter policy of every consumer (applied per message by `consumer_loop`):

- handled: ack;
- a message that disagrees with the contract or fails validation, or a `PermanentError`:
  publish to the dead-letter stream with the reason and the original headers, then terminate;
- anything else is transient: nak with a growing delay, and on the last allowed delivery
  dead-letter it instead, so nothing is dropped silently when `max_deliver` is reached."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from qn_contracts import WireFormatError


class PermanentError(Exception):
    """A message that will never succeed, however often it is retried."""


PERMANENT = (ValidationError, WireFormatError, PermanentError, json.JSONDecodeError, UnicodeDecodeError)


def dead_letter_headers(
    headers: dict[str, str],
    *,
    consumer: str,
    subject: str,
    stream: str,
    stream_sequence: int,
    deliveries: int,
    reason: str,
) -> dict[str, str]:
    """The original headers plus why, where from and how often; one dead letter per consumer and
    stream message, however often this runs (the `Nats-Msg-Id` says which)."""
    return {
        **{k: v for k, v in headers.items() if k != "Nats-Msg-Id"},
        "qn-dlq-reason": reason[:2000],
        "qn-dlq-consumer": consumer,
        "qn-dlq-subject": subject,
        "qn-dlq-stream": stream,
        "qn-dlq-stream-sequence": str(stream_sequence),
        "qn-dlq-deliveries": str(deliveries),
        "Nats-Msg-Id": f"dlq:{consumer}:{stream}:{stream_sequence}",
    }


def retry_delay(backoff: Sequence[float], delivered: int) -> float:
    """The delay before the next delivery after `delivered` failed ones."""
    steps = tuple(backoff) or (1.0,)
    return steps[min(max(delivered, 1), len(steps)) - 1]


def reason_of(exc: BaseException) -> str:
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
