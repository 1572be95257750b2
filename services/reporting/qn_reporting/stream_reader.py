"""Reading a whole stream fast, up to a sequence noted beforehand -- for a rebuild.

An ordered consumer (ephemeral, in memory on the server, no acks, flow-controlled pushes) hands
each message to a plain callback; nothing is acknowledged and no durable state is left behind.
nats-py parses every message's headers with the standard library's e-mail parser, which costs
more than everything else a rebuild does per event; `install_fast_headers` gives one connection
a parser for the plain `Name: value` lines producers send, which returns what nats-py's own
parsing returns, and leaves anything else (status lines, folded or non-ASCII headers) to it."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy

_HEAD = b"NATS/1.0\r\n"
_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")
"""What the e-mail parser takes for a header name: printable ASCII, no space, no colon."""
_PRINTABLE = re.compile(r"[\x20-\x7e\r\n]*")
_FALL_BACK = object()

Handle = Callable[[str, dict[str, str], bytes], None]
"""(subject, headers, body) of one message, in stream order."""


def parse_plain_headers(block: bytes) -> dict[str, str] | object | None:
    """The headers of a `NATS/1.0` block of plain ASCII `Name: value` lines, as nats-py returns
    them (names and values stripped, the last of a repeated name); `_FALL_BACK` for anything
    else, which nats-py's own parser must read."""
    if not block.startswith(_HEAD) or not block.isascii():
        return _FALL_BACK
    text = block[len(_HEAD) :].decode("ascii")
    if not _PRINTABLE.fullmatch(text):  # tabs and other control characters: leave them to nats-py
        return _FALL_BACK
    headers: dict[str, str] = {}
    for line in text.split("\r\n"):
        if not line:
            break  # the blank line that ends the headers
        name, colon, value = line.partition(":")
        if not colon or "\n" in line or "\r" in line or not _NAME.fullmatch(name) or line.startswith("From "):
            return _FALL_BACK
        headers[name] = value.strip()
    return headers or None


def install_fast_headers(nc: Client) -> None:
    """Makes this connection parse plain header blocks itself (see the module docstring). A
    nats-py without the hook keeps its own parsing: slower, not different."""
    original = getattr(nc, "_process_headers", None)
    if original is None:
        return

    async def process_headers(headers: bytes) -> Any:
        if headers:
            parsed = parse_plain_headers(bytes(headers))
            if parsed is not _FALL_BACK:
                return parsed
        return await original(headers)

    setattr(nc, "_process_headers", process_headers)  # noqa: B010 -- this connection only


def position(reply: str) -> tuple[int, int]:
    """(stream sequence, messages pending after it) from a JetStream message's reply subject:
    `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending>`, or the longer form
    with domain and account hash after `$JS.ACK`."""
    tokens = reply.split(".")
    if len(tokens) == 9:
        return int(tokens[5]), int(tokens[8])
    if len(tokens) >= 11 and tokens[0] == "$JS" and tokens[1] == "ACK":
        return int(tokens[7]), int(tokens[10])
    raise ValueError(f"not a JetStream delivery: {reply[:80]!r}")


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
