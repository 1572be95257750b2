"""Publishing a batch to JetStream with a window of outstanding acks, over one reply subscription.

nats-py's `publish_async` makes a future per message and reads each ack into a `PubAck` through
`json.loads` and a dataclass built field by field: in the relay, that was a third of what a
published event cost the interpreter -- which the service's consumers need at the same time.
The protocol underneath is plain NATS: a message published with a reply subject is stored by
the stream that takes its subject, and the server answers on the reply subject with
`{"stream": ..., "seq": ..., "duplicate": ...}` or `{"error": {"code": ..., "description": ...}}`
(or a 503 status when no stream listens). Here each message of a batch gets the reply subject
`<inbox>.<batch>.<index>`, one subscription reads them all, and a late ack of an earlier batch
is recognised and ignored."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import Header

from .outbox import Ack
from .waiting import wait_until

EXPECTED_STREAM, STATUS, DESCRIPTION = Header.EXPECTED_STREAM.value, Header.STATUS.value, Header.DESCRIPTION.value


class PublishRefused(Exception):
    """The server did not store a message: its error, or no stream for the subject."""


class _Batch:
    def __init__(self, number: int, size: int) -> None:
        self.number = number
        self.results: list[Ack | BaseException | None] = [None] * size
        self.outstanding = 0
        self.changed = asyncio.Event()


class WindowedPublisher:
    """`publish_many` for one connection; batches are published one after the other."""

    def __init__(self, nc: Client, *, timeout: float, window: int) -> None:
        self._nc = nc
        self._timeout = timeout
        self._window = window
        self._inbox = nc.new_inbox()
        self._subscription: Subscription | None = None
        self._batches = 0
        self._batch: _Batch | None = None

    @property
    def connection(self) -> Client:
        return self._nc

    async def close(self) -> None:
        if self._subscription is not None:
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()

    async def publish_many(
        self, messages: Sequence[tuple[str, bytes, dict[str, str]]], streams: Sequence[str]
    ) -> list[Ack | BaseException]:
        """Publishes `messages` in order, each expected in the stream of the same position in
        `streams`; waits at most `timeout` for the acks after the last send. Each result is the
        message's ack or the error (a timeout for an ack that did not come)."""
        if self._subscription is None:
            self._subscription = await self._nc.subscribe(f"{self._inbox}.*.*", cb=self._on_reply)
        self._batches += 1
        batch = self._batch = _Batch(self._batches, len(messages))
        loop = asyncio.get_running_loop()
        prefix = f"{self._inbox}.{batch.number}."
        try:
            for index, ((subject, body, headers), stream) in enumerate(zip(messages, streams, strict=True)):
                if batch.outstanding >= self._window:
                    await wait_until(
                        batch.changed, lambda: batch.outstanding < self._window, loop.time() + self._timeout
                    )
                # the expected stream makes the server refuse a subject that landed elsewhere
                await self._nc.publish(
                    subject, body, reply=f"{prefix}{index}", headers={**headers, EXPECTED_STREAM: stream}
                )
                batch.outstanding += 1
            await wait_until(batch.changed, lambda: batch.outstanding == 0, loop.time() + self._timeout)
        finally:
            self._batch = None
        late = TimeoutError(f"no publish ack within {self._timeout}s")
        return [late if result is None else result for result in batch.results]

    async def _on_reply(self, message: Msg) -> None:
        batch = self._batch
        _, number, index = message.subject.rsplit(".", 2)
        if batch is None or number != str(batch.number):
            return  # the ack of a batch given up on (timed out): its row is published again
        position = int(index) if index.isdigit() else len(batch.results)
        if position >= len(batch.results) or batch.results[position] is not None:
            return  # not a reply to this batch's messages, or a second one
        batch.results[position] = _result(message)
        batch.outstanding -= 1
        batch.changed.set()


def _result(message: Msg) -> Ack | BaseException:
    headers = message.headers or {}
    if STATUS in headers:  # 503: no stream listens on the subject
        return PublishRefused(f"status {headers[STATUS]} {headers.get(DESCRIPTION, '')}".strip())
    try:
        reply = orjson.loads(message.data)
        error = reply.get("error")
        if error is not None:
            return PublishRefused(f"{error.get('code')} {error.get('err_code', '')}: {error.get('description')}")
        return Ack(stream=str(reply["stream"]), sequence=int(reply["seq"]), duplicate=bool(reply.get("duplicate")))
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
        # an ack that says neither where the message went nor why not: not stored, as far as we know
        return PublishRefused(f"unreadable ack {message.data[:200]!r}: {exc!r}")
