"""Reading what is on the broker, as a carrier's system would."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass
from typing import Any

import nats
from nats.js.errors import NotFoundError


@dataclass(frozen=True)
class StoredMessage:
    subject: str
    headers: dict[str, str]
    body: dict[str, Any] | bytes


async def stream_messages(url: str, stream: str) -> list[StoredMessage]:
    """Every message stored in `stream`, in order."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        try:
            info = await js.stream_info(stream)
        except NotFoundError:
            return []
        messages = []
        if not info.state.messages:
            return []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            try:
                msg = await js.get_msg(stream, seq)
            except NotFoundError:
                continue  # deleted or purged
            try:
                body: dict[str, Any] | bytes = json.loads(msg.data or b"")
            except ValueError:
                body = msg.data or b""
            messages.append(StoredMessage(msg.subject or "", _headers(msg), body))
        return messages
    finally:
        await nc.close()


def read_stream(url: str, stream: str) -> list[StoredMessage]:
    return asyncio.run(stream_messages(url, stream))


async def publish_raw(url: str, subject: str, body: bytes, headers: dict[str, str] | None = None) -> None:
    """Publishes bytes as they are -- for malformed messages a well-behaved producer never sends."""
    nc = await nats.connect(url)
    try:
        await nc.jetstream().publish(subject, body, headers=headers)
    finally:
        await nc.close()


def _headers(msg: Any) -> dict[str, str]:
    """The headers as stored, read as UTF-8 from the raw header block: nats-py's own parsing
    mangles non-ASCII values, which would hide exactly what a privacy check looks for."""
    if not msg.hdrs:
        return {}
    block = base64.b64decode(msg.hdrs).decode("utf-8", errors="replace")
    headers = {}
    for line in block.split("\r\n")[1:]:  # the first line is NATS/1.0
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    return headers


async def consumer_backlog(url: str, stream: str, durable: str) -> int:
    """Messages a durable consumer has not acknowledged yet: not delivered, or delivered and
    still pending an ack (-1 while the consumer does not exist)."""
    nc = await nats.connect(url)
    try:
        try:
            info = await nc.jetstream().consumer_info(stream, durable)
        except NotFoundError:
            return -1
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    finally:
        await nc.close()
