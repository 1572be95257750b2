"""Pulling batches from a durable JetStream consumer with one inbox subscription of our own.

nats-py's `PullSubscription.fetch` waits for each message of a batch on its own (a timed wait per
message, a task each): on a consumer's hot path that cost more than the broker's round trip
(measured: ~80 us of interpreter time per message beside a handler's own work, which
competes for the same interpreter). The pull protocol itself is plain NATS: a request to
`$JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>` asks for up to `batch` messages, the server
delivers them to the request's reply subject, and a status message ends a request it could not
fill: 404 (nothing there, for a `no_wait` request), 408 (the request expired), 409 (the consumer
was deleted, a leader changed, a limit was exceeded). Heartbeats (100) say nothing.

`Puller.fetch` asks first with `no_wait` (under load the batch is there at once); when nothing
is, it asks again with an expiry and returns with the first messages to arrive. Messages that
arrive afterwards for a request still open stay in the buffer for the next fetch, as nats-py
keeps them in its queue; their `ack_wait` runs as it would there. Each request has its own reply
subject, so the status that ends an earlier request is never taken for the end of the current one."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js.api import Header

from .waiting import wait_until

STATUS, DESCRIPTION = Header.STATUS.value, Header.DESCRIPTION.value
HEARTBEAT = "100"
ENDED = {"404", "408"}
"""Statuses that end a request normally: nothing more now, or its time ran out."""


class PullFailed(Exception):
    """The server refused or ended a pull request for a reason other than "nothing there"."""


class Puller:
    def __init__(self, nc: Client, stream: str, durable: str) -> None:
        self._nc = nc
        self._request_subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self._inbox = nc.new_inbox()
        self._requests = 0
        self._current = ""
        """The reply subject of the request being waited for."""
        self._buffer: list[Msg] = []
        self._ended = False
        """Whether the server has ended the current request (a status)."""
        self._failure: str | None = None
        self._arrived = asyncio.Event()
        self._subscription: Subscription | None = None

    async def start(self) -> None:
        self._subscription = await self._nc.subscribe(f"{self._inbox}.*", cb=self._on_message)

    async def stop(self) -> list[Msg]:
        """Stops listening; returns the messages delivered but not fetched (to be given back)."""
        if self._subscription is not None:
            with contextlib.suppress(Exception):  # the connection may be gone already
                await self._subscription.unsubscribe()
        left, self._buffer = self._buffer, []
        return left

    async def _on_message(self, message: Msg) -> None:
        status = message.headers.get(STATUS) if message.headers else None
        if status is None:
            self._buffer.append(message)
        elif status == HEARTBEAT or message.subject != self._current:
            return  # a heartbeat, or the end of an earlier request (its messages are kept)
        else:
            self._ended = True
            if status not in ENDED:
                self._failure = f"{status} {message.headers.get(DESCRIPTION, '')}".strip()
        self._arrived.set()

    async def fetch(self, batch: int, timeout: float) -> list[Msg]:
        """Up to `batch` messages: those there now, else the first to arrive within `timeout`
        seconds; an empty list if none came. Raises `PullFailed` if the server refused."""
        if len(self._buffer) < batch:
            await self._request(batch - len(self._buffer), no_wait=True)
            if not self._buffer:
                await self._request(batch, expires=timeout)
        return self._take(batch)

    async def _request(self, batch: int, *, no_wait: bool = False, expires: float | None = None) -> None:
        """Sends one pull request and waits until it is answered: filled, or ended by a status,
        or (with an expiry) until its first message arrives."""
        self._ended, self._failure = False, None
        body: dict[str, Any] = {"batch": batch}
        if no_wait:
            body["no_wait"] = True
        if expires is not None:
            body["expires"] = int(expires * 1_000_000_000)
        before = len(self._buffer)
        self._requests += 1
        self._current = f"{self._inbox}.{self._requests}"
        await self._nc.publish(self._request_subject, json.dumps(body).encode(), reply=self._current)
        # a little longer than the request's own expiry: its 408 normally comes first
        deadline = asyncio.get_running_loop().time() + (expires or 1.0) + 1.0

        def answered() -> bool:
            filled = len(self._buffer) - before >= batch
            return self._ended or filled or (expires is not None and bool(self._buffer))

        await wait_until(self._arrived, answered, deadline)
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise PullFailed(failure)

    def _take(self, batch: int) -> list[Msg]:
        taken, self._buffer = self._buffer[:batch], self._buffer[batch:]
        return taken
