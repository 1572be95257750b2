"""The rebuild's own reading of header blocks and reply subjects, against nats-py's."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from qn_contracts import EventMeta, encode
from qn_contracts.intake import ConcernRecorded
from qn_reporting.stream_reader import install_fast_headers, parse_plain_headers, position


def _block(lines: list[str]) -> bytes:
    return ("NATS/1.0\r\n" + "".join(f"{line}\r\n" for line in lines) + "\r\n").encode("utf-8")


def _producer_block() -> bytes:
    event = ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="rosslau", channel="phone", topics=["einsamkeit"], urgency="soon"
    )
    message = encode(event, EventMeta.for_event(event, correlation_id=str(uuid.uuid4())))
    return _block([f"{name}: {value}" for name, value in message.headers.items()])


BLOCKS = [
    _producer_block(),
    _block(["ce-time: 2026-11-05T10:00:00+00:00", "ce-id:   spaced   ", "empty:", "x-note: a: b: c"]),
    _block(["same: first", "same: second"]),
    _block(["Nats-Msg-Id: first-attempt", "Content-Type: application/json"]),
    _block(["ce-correlationid: Straße"]),  # not ASCII: nats-py's parser reads it
    _block(["folded: one", "\ttwo"]),  # a continuation line
    _block(["no colon here"]),
    _block(["with space: value"]),
    _block(["From x: y"]),
    _block(["a: b\rc"]),
    _block(["a: b\x0bc: d"]),  # control characters
    _block(["a:\tb\t", "c: d\x0c"]),
    b"NATS/1.0\r\na: b\r\n\r\ntrailing: body\r\n\r\n",
    b"NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 3\r\nNats-Last-Stream: 9\r\n\r\n",
    b"NATS/1.0 404 No Messages\r\n\r\n",
    b"NATS/1.0\r\n\r\n",
]


@pytest.mark.parametrize("block", BLOCKS, ids=range(len(BLOCKS)))
def test_headers_are_read_as_nats_py_reads_them(block: bytes) -> None:
    async def both() -> tuple[object, object]:
        plain, fast = Client(), Client()
        install_fast_headers(fast)
        return await plain._process_headers(block), await fast._process_headers(block)

    theirs, ours = asyncio.run(both())
    assert ours == theirs


def test_the_position_of_a_delivery_is_read_from_its_reply_subject() -> None:
    v1 = "$JS.ACK.QN_INTAKE.reporting-rebuild.1.4711.4700.1764662400000000000.289"
    v2 = "$JS.ACK.hub.ACCHASH.QN_INTAKE.reporting-rebuild.1.4711.4700.1764662400000000000.289.x4Rq"
    for reply in (v1, v2):
        assert position(reply) == (4711, 289)
        metadata = Msg(None, reply=reply).metadata  # type: ignore[arg-type]
        assert position(reply) == (metadata.sequence.stream, metadata.num_pending)
    with pytest.raises(ValueError):
        position("_INBOX.abc")


def test_what_producers_send_is_read_without_the_mail_parser() -> None:
    block = _producer_block()
    assert parse_plain_headers(block) == dict(line.split(": ", 1) for line in block.decode()[10:].split("\r\n") if line)
