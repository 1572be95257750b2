"""The pull loop of one durable consumer: fetch what the server has (up to the batch size), hand
the batch to a worker thread once (`consumers.BatchProcessor`: one transaction), then settle each
message -- ack after the commit, nak with backoff, or dead-letter and terminate.

Kept on NATS directly rather than a framework's per-message subscriber: a batch costs one thread
hop and one transaction, not one of each per message, and the pull requests are our own
(`pull.Puller`), not nats-py's fetch with its timed wait per message. Within one consumer,
batches are handled one after the other, so events of a subject reach the handler in stream
order, except a message that is retried after a transient failure (it comes back after its
backoff)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import anyio
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import APIError

from qn_contracts import dead_letter_subject, stream_for_subject

from .consumers import BatchProcessor, ConsumerSpec, Outcome, RawMessage, Verdict
from .dead_letter import dead_letter_headers, retry_delay
from .logs import get_logger
from .metrics import CONSUMER_PENDING, EVENTS_CONSUMED
from .pull import Puller
from .reply_subject import parse_reply_subject

if TYPE_CHECKING:
    from .runtime import ServiceRuntime

log = get_logger(__name__)

DeadLetterPublish = Callable[[str, bytes, dict[str, str]], Awaitable[Any]]
FETCH_TIMEOUT_SECONDS = 2.0


def durable_config(spec: ConsumerSpec, *, ack_wait: float, max_deliver: int, batch_size: int) -> ConsumerConfig:
    return ConsumerConfig(
        name=spec.durable,
        durable_name=spec.durable,
        description=spec.description or None,
        filter_subject=spec.subject,
        deliver_policy=DeliverPolicy.ALL,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_deliver=max_deliver,
        # room for a batch being handled and the next one; more only delays redeliveries
        max_ack_pending=max(1000, 4 * batch_size),
    )


class ConsumerLoop:
    def __init__(self, runtime: ServiceRuntime, spec: ConsumerSpec, publish_dead_letter: DeadLetterPublish) -> None:
        settings = runtime.settings
        self.spec = spec
        self.stream = stream_for_subject(spec.subject).name
        self._batch = settings.consumer_batch_size
        self._max_deliver = settings.consumer_max_deliver
        self._backoff = settings.consumer_backoff_seconds
        self._ack_wait = settings.consumer_ack_wait_seconds
        self._process = BatchProcessor(runtime, spec, settings.consumer_max_event_bytes)
        self._publish_dead_letter = publish_dead_letter
        self._runtime = runtime

    async def ensure_durable(self, js: JetStreamContext) -> None:
        """Creates the durable consumer, or brings its settings up to date."""
        config = durable_config(
            self.spec, ack_wait=self._ack_wait, max_deliver=self._max_deliver, batch_size=self._batch
        )
        try:
            await js.add_consumer(self.stream, config)
        except APIError as exc:
            # an existing consumer whose settings cannot be changed in place (e.g. where a
            # rebuild placed it, or a policy the server will not change): keep it as it is
            log.warning("consumer_config_kept", consumer=self.spec.durable, error=str(exc))

    async def run(self, nc: Client) -> None:
        puller = Puller(nc, self.stream, self.spec.durable)
        await puller.start()
        # the next batch is fetched while this one is handled: its round trip to the server and
        # the parsing of its messages overlap the worker thread's transaction, not add to it.
        # Batches are still handled one after the other, in the order fetched.
        ahead: asyncio.Task[list[Msg]] | None = None
        # and a handled batch is acknowledged while the next one is handled: the worker thread
        # does not wait for the acks (at most one batch is being settled at a time)
        settling: asyncio.Task[None] | None = None
        try:
            # the runtime cancels this task on stop, and its flag ends the loop as well: Python
            # 3.11's `wait_for` (inside a fetch) can swallow a cancellation
            while not self._runtime.stopping:
                messages = await ahead if ahead is not None else await self._fetch(puller)
                ahead = None
                if self._runtime.stopping:
                    await self._release(messages)
                    break
                ahead = asyncio.create_task(self._fetch(puller))
                if messages:
                    settle = await self.handle(messages)
                    previous, settling = settling, asyncio.create_task(settle) if settle is not None else None
                    if previous is not None:
                        await previous
        finally:
            if settling is not None:  # acks of a committed batch go out before the loop ends
                with contextlib.suppress(Exception):
                    await settling
            if ahead is not None:
                await self._release_ahead(ahead)
            await self._release(await puller.stop())

    async def _fetch(self, puller: Puller) -> list[Msg]:
        """What the server has (up to the batch size); none after the timeout or a failure."""
        try:
            messages = await puller.fetch(self._batch, timeout=FETCH_TIMEOUT_SECONDS)
        except Exception as exc:  # noqa: BLE001 -- broker away or reconnecting: the loop must outlive it
            log.warning("consumer_fetch_failed", consumer=self.spec.durable, error=repr(exc))
            await asyncio.sleep(1.0)
            return []
        if not messages:
            CONSUMER_PENDING.labels(consumer=self.spec.durable).set(0)  # nothing new within the timeout
        return messages

    async def _release_ahead(self, ahead: asyncio.Task[list[Msg]]) -> None:
        """On stop: a batch fetched ahead goes back to the server at once (not after `ack_wait`);
        a fetch still under way is cancelled."""
        if not ahead.done():
            ahead.cancel()
        with contextlib.suppress(BaseException):
            await self._release(await ahead)

    async def _release(self, messages: Sequence[Msg]) -> None:
        """Hands fetched, unhandled messages back for redelivery (the service is stopping)."""
        for message in messages:
            with contextlib.suppress(Exception):  # the connection may be gone: ack_wait brings it back
                await message.nak()

    async def handle(self, messages: Sequence[Msg]) -> Coroutine[Any, Any, None] | None:
        """Handles a batch in the worker thread; returns what settles it (ack, retry, dead
        letter), for the caller to run -- or None if the batch failed as a whole."""
        raws = [_raw(message, self.stream) for message in messages]
        # each message says how many the stream holds for this consumer after it (set here, not
        # when fetched ahead: the lag counts what has not been handled)
        CONSUMER_PENDING.labels(consumer=self.spec.durable).set(raws[-1].pending)
        try:
            outcomes = await anyio.to_thread.run_sync(self._process, raws)
        except Exception as exc:  # noqa: BLE001 -- unexpected: let the server redeliver after ack_wait
            log.error("consumer_batch_failed", consumer=self.spec.durable, error=repr(exc), messages=len(raws))
            await asyncio.sleep(1.0)
            return None
        return self.settle(messages, raws, outcomes)

    async def settle(self, messages: Sequence[Msg], raws: Sequence[RawMessage], outcomes: Sequence[Outcome]) -> None:
        tally: Counter[str] = Counter()
        for message, raw, outcome in zip(messages, raws, outcomes, strict=True):
            tally[await self._settle(message, raw, outcome)] += 1
        for label, n in tally.items():
            EVENTS_CONSUMED.labels(consumer=self.spec.durable, outcome=label).inc(n)

    async def _settle(self, message: Msg, raw: RawMessage, outcome: Outcome) -> str:
        if outcome.verdict is Verdict.ACK:
            await message.ack()
            return outcome.label
        if outcome.verdict is Verdict.RETRY and raw.delivered < self._max_deliver:
            delay = retry_delay(self._backoff, raw.delivered)
            log.warning(
                "event_retry", **self._about(raw), delivered=raw.delivered, delay_seconds=delay, error=outcome.reason
            )
            await message.nak(delay=delay)
            return "retried"
        reason = outcome.reason
        if outcome.verdict is Verdict.RETRY:
            reason = f"gave up after {raw.delivered} deliveries: {reason}"
        return await self._dead_letter(message, raw, reason)

    def _about(self, raw: RawMessage) -> dict[str, str | None]:
        """What a log line says about a message: ids only, never its body."""
        return {
            "consumer": self.spec.durable,
            "subject": raw.subject,
            "event_id": raw.headers.get("ce-id"),
            "correlation_id": raw.headers.get("ce-correlationid"),
        }

    async def _dead_letter(self, message: Msg, raw: RawMessage, reason: str) -> str:
        sequence = raw.stream_sequence
        headers = dead_letter_headers(
            raw.headers,
            consumer=self.spec.durable,
            subject=raw.subject,
            stream=self.stream,
            stream_sequence=sequence,
            deliveries=raw.delivered,
            reason=reason,
        )
        try:
            await self._publish_dead_letter(dead_letter_subject(self.spec.durable, raw.subject), raw.body, headers)
        except Exception as exc:  # noqa: BLE001 -- keep the message; it comes back after a delay
            log.error("dead_letter_failed", consumer=self.spec.durable, subject=raw.subject, error=repr(exc))
            await message.nak(delay=retry_delay(self._backoff, raw.delivered))
            return "retried"
        log.error("event_dead_lettered", **self._about(raw), stream_sequence=sequence, reason=reason)
        await message.term()
        return "dead_lettered"


def _raw(message: Msg, stream: str) -> RawMessage:
    reply = parse_reply_subject(message.reply)
    return RawMessage(
        subject=message.subject,
        stream=reply.stream or stream,
        headers=dict(message.headers or {}),
        body=message.data or b"",
        delivered=reply.delivered or 1,
        stream_sequence=reply.stream_sequence,
        pending=reply.pending,
    )
