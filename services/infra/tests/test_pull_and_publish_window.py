"""The two pieces of the JetStream protocol the services speak themselves, on a real nats-server:
pulling batches of a durable consumer (`pull.Puller`) and publishing a batch with a window of
outstanding acks (`publish_window.WindowedPublisher`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, StreamConfig

from qn_infra.embedded_broker import NatsServer
from qn_infra.outbox import Ack
from qn_infra.publish_window import PublishRefused, WindowedPublisher, _result
from qn_infra.pull import Puller, PullFailed

pytestmark = pytest.mark.integration

STREAM, SUBJECTS = "PROBE", "probe.>"


@pytest.fixture
async def nc(nats_server: NatsServer) -> AsyncIterator[Client]:
    client = await nats.connect(nats_server.url)
    js = client.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=[SUBJECTS], duplicate_window=60))
    await js.add_stream(StreamConfig(name="OTHER", subjects=["other.>"]))
    await js.add_consumer(STREAM, ConsumerConfig(durable_name="probe", ack_policy=AckPolicy.EXPLICIT))
    yield client
    await client.close()


async def _publish(client: Client, count: int, start: int = 0) -> None:
    js = client.jetstream()
    for i in range(start, start + count):
        await js.publish("probe.x", str(i).encode())


async def _pulled(puller: Puller, batch: int, timeout: float = 2.0) -> list[str]:
    messages = await puller.fetch(batch, timeout=timeout)
    for message in messages:
        await message.ack()
    return [message.data.decode() for message in messages]


async def test_a_fetch_takes_what_is_there_up_to_the_batch_size_in_stream_order(nc: Client) -> None:
    await _publish(nc, 10)
    puller = Puller(nc, STREAM, "probe")
    await puller.start()
    assert await _pulled(puller, 4) == ["0", "1", "2", "3"]
    assert await _pulled(puller, 4) == ["4", "5", "6", "7"]
    assert await _pulled(puller, 4) == ["8", "9"]
    assert await puller.stop() == []


async def test_a_fetch_on_an_empty_stream_waits_for_the_first_messages_and_returns_none_after_its_timeout(
    nc: Client,
) -> None:
    puller = Puller(nc, STREAM, "probe")
    await puller.start()
    assert await _pulled(puller, 8, timeout=0.3) == []
    waiting = asyncio.create_task(_pulled(puller, 8, timeout=5.0))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await _publish(nc, 3)
    got = await asyncio.wait_for(waiting, 5.0)
    # what arrived after the first message is not lost: it is in this batch or the next
    rest = await _pulled(puller, 8, timeout=0.5)
    assert got and got + rest == ["0", "1", "2"]
    await puller.stop()


async def test_the_end_of_an_earlier_request_does_not_end_the_next_one(nc: Client) -> None:
    # a request's end (404/408) can come while a later request is waited for: here one stands in
    # for the late 408 of the first request, sent to its reply subject during the second fetch
    puller = Puller(nc, STREAM, "probe")
    await puller.start()
    assert await _pulled(puller, 8, timeout=0.3) == []  # request 1 (no_wait), then 2 (expiring)
    waiting = asyncio.create_task(_pulled(puller, 8, timeout=5.0))
    await asyncio.sleep(0.2)
    await nc.publish(f"{puller._inbox}.1", b"", headers={"Status": "408", "Description": "Request Timeout"})
    await asyncio.sleep(0.2)
    assert not waiting.done()  # still waiting for its own messages
    await _publish(nc, 1)
    assert await asyncio.wait_for(waiting, 5.0) == ["0"]
    await puller.stop()


async def test_pulling_from_a_consumer_that_does_not_exist_fails_with_the_servers_reason(nc: Client) -> None:
    puller = Puller(nc, STREAM, "nobody")
    await puller.start()
    with pytest.raises(PullFailed) as failed:
        await puller.fetch(4, timeout=0.5)
    assert str(failed.value).startswith("503")  # no responders: nothing answers for that consumer
    await puller.stop()


async def test_a_window_of_acks_publishes_every_message_in_order_and_reports_each_ack(nc: Client) -> None:
    publisher = WindowedPublisher(nc, timeout=5.0, window=16)
    messages = [("probe.x", str(i).encode(), {"Nats-Msg-Id": f"m-{i}"}) for i in range(100)]
    results = await publisher.publish_many(messages, [STREAM] * 100)
    assert all(isinstance(r, Ack) for r in results)
    assert [r.sequence for r in results if isinstance(r, Ack)] == list(range(1, 101))
    # the same message ids again: the stream keeps the first, and says so
    again = await publisher.publish_many(messages[:3], [STREAM] * 3)
    assert [(r.sequence, r.duplicate) for r in again if isinstance(r, Ack)] == [(1, True), (2, True), (3, True)]
    info = await nc.jetstream().stream_info(STREAM)
    assert info.state.messages == 100
    await publisher.close()


async def test_a_message_no_stream_takes_or_that_lands_in_another_stream_is_reported_not_lost_silently(
    nc: Client,
) -> None:
    publisher = WindowedPublisher(nc, timeout=2.0, window=4)
    results = await publisher.publish_many(
        [("probe.x", b"kept", {}), ("nowhere.x", b"lost", {}), ("other.x", b"misplaced", {})],
        [STREAM, STREAM, STREAM],
    )
    assert isinstance(results[0], Ack) and results[0].stream == STREAM
    assert isinstance(results[1], PublishRefused) and "503" in str(results[1])
    assert isinstance(results[2], PublishRefused) and "expected stream" in str(results[2]).lower()
    await publisher.close()


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[]", b'{"stream": "PROBE"}', b'{"stream": "PROBE", "seq": "x"}'],
    ids=["not-json", "a-list", "no-seq", "seq-not-a-number"],
)
def test_an_ack_that_says_neither_where_nor_why_not_counts_as_not_stored(data: bytes) -> None:
    assert isinstance(_result(Msg(_client=None, subject="_INBOX.x.1.0", data=data)), PublishRefused)  # type: ignore[arg-type]


def test_an_ack_and_a_refusal_are_read_as_the_server_sends_them() -> None:
    ack = _result(Msg(_client=None, subject="_INBOX.x.1.0", data=b'{"stream":"PROBE","seq":7,"duplicate":true}'))  # type: ignore[arg-type]
    assert ack == Ack(stream="PROBE", sequence=7, duplicate=True)
    refused = _result(
        Msg(
            _client=None,
            subject="_INBOX.x.1.0",
            data=b'{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"}}',
        )  # type: ignore[arg-type]
    )
    assert isinstance(refused, PublishRefused) and "expected stream does not match" in str(refused)
