"""Reading a whole stream fast, up to a sequence noted beforehand -- for a rebuild.

An ordered consumer (ephemeral, in memory on the server, no acks, flow-controlled pushes) hands
each message to a plain callback; nothing is acknowledged and no durable state is left behind.
The connection parses headers with `qn_infra.nats_headers` (as every service connection does)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

from qn_infra.nats_headers import install_fast_headers, parse_plain_headers
from qn_infra.reply_subject import parse_reply_subject

__all__ = ["install_fast_headers", "parse_plain_headers", "position", "read_stream"]

Handle = Callable[[str, dict[str, str], bytes], None]
"""(subject, headers, body) of one message, in stream order."""


def position(reply: str) -> tuple[int, int]:
    """(stream sequence, messages pending after it) from a JetStream message's reply subject."""
    parsed = parse_reply_subject(reply)
    return parsed.stream_sequence, parsed.pending


async def read_stream(
    js: JetStreamContext,
    stream: str,
    subject: str,
    last_sequence: int,
    handle: Handle,
    *,
    progress: Callable[[int], Awaitable[None] | None] | None = None,
    progress_seconds: float = 2.0,
    stall_seconds: float = 30.0,
) -> int:
    """Hands every message of `stream` on `subject` up to `last_sequence` to `handle`, in order;
    returns how many. Messages stored after `last_sequence` are not handed on. `progress(n)` is
    called every `progress_seconds`. Raises TimeoutError when nothing arrives for `stall_seconds`,
    and whatever `handle` raises."""
    done = asyncio.get_running_loop().create_future()
    count = 0
    last_seen = 0

    async def deliver(msg: Msg) -> None:
        nonlocal count, last_seen
        if done.done():
            return
        try:
            sequence, pending = position(msg.reply)
            last_seen = sequence
            if sequence <= last_sequence:
                handle(msg.subject, msg.headers or {}, msg.data)
                count += 1
            if sequence >= last_sequence or pending == 0:
                done.set_result(None)
        except BaseException as exc:  # noqa: BLE001 -- ends the read; the caller sees it
            done.set_exception(exc)

    subscription = await js.subscribe(
        subject,
        stream=stream,
        cb=deliver,
        ordered_consumer=True,
        deliver_policy=DeliverPolicy.ALL,
        # the server's flow control keeps far fewer in flight; a full queue would drop messages
        pending_msgs_limit=1_000_000,
        pending_bytes_limit=1024 * 1024 * 1024,
    )
    try:
        moved_at, seen_then, reported_at = time.monotonic(), -1, time.monotonic()
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(done), timeout=min(1.0, progress_seconds))
                break
            except TimeoutError:
                pass
            now = time.monotonic()
            if last_seen != seen_then:
                moved_at, seen_then = now, last_seen
            elif now - moved_at > stall_seconds:
                raise TimeoutError(
                    f"{stream}: nothing arrived for {stall_seconds:.0f} s after sequence {last_seen} "
                    f"(reading up to {last_sequence})"
                )
            if progress is not None and now - reported_at >= progress_seconds:
                reported_at = now
                result = progress(count)
                if result is not None:
                    await result
        return count
    finally:
        with contextlib.suppress(Exception):  # the ephemeral consumer goes away on its own
            await subscription.unsubscribe()
