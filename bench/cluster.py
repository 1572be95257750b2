"""Publishing through a stream leader's crash on a three-node cluster.

Three nats-server nodes on loopback (`sync_interval: always`, as in production), `QN_INTAKE` with
three replicas. One publisher sends concern events one at a time, as the outbox relay does: each
with its `Nats-Msg-Id`, waiting for the ack (0.5 s), sending the same message again until it is
acknowledged. The baseline is the same publisher without a fault: acks per second and the longest
pause between two acks. Then the stream's leader is killed with SIGKILL
(QN_BENCH_CLUSTER_CRASHES times, default 3) and restarted after the others took over; the gap is
the longest pause between two acks around each crash -- the time the stream could not take a
write while a new leader was elected. Checked: the stream holds every acknowledged event once."""

from __future__ import annotations

import asyncio
import itertools
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nats
import nats.js.errors

from qn_contracts import EventMeta, encode
from qn_contracts.intake import ConcernRecorded
from qn_infra.embedded_broker import NatsCluster
from qn_infra.messaging import ensure_streams

CRASHES = int(os.environ.get("QN_BENCH_CLUSTER_CRASHES", "3"))
STEADY_SECONDS = 3.0
ACK_TIMEOUT = 0.5
STREAM = "QN_INTAKE"


def _message() -> tuple[str, bytes, dict[str, str]]:
    event = ConcernRecorded(
        concern_id=uuid.uuid4(), quarter_id="innenstadt-sued", channel="phone", topics=["schulden"], urgency="soon"
    )
    wire = encode(event, EventMeta.for_event(event))
    return wire.subject, wire.body, wire.headers


class Publisher:
    """Sends one message at a time until acknowledged; remembers when each ack came."""

    def __init__(self, js: Any) -> None:
        self.js = js
        self.acks: list[float] = []
        self.ids: set[str] = set()
        self.failures = 0

    async def publish_for(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await self.publish_one()

    async def publish_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.publish_one()

    async def publish_one(self) -> None:
        subject, body, headers = _message()
        while True:
            try:
                await self.js.publish(subject, body, headers=headers, stream=STREAM, timeout=ACK_TIMEOUT)
                self.acks.append(time.monotonic())
                self.ids.add(headers["ce-id"])
                return
            except (nats.errors.Error, nats.js.errors.Error, TimeoutError):
                self.failures += 1
                await asyncio.sleep(0.02)

    def longest_pause(self, since: float, until: float) -> float:
        times = [t for t in self.acks if since <= t <= until]
        return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


async def _leader(nc: Any) -> str:
    while True:
        try:
            info = await nc.jetstream(timeout=1).stream_info(STREAM)
            if info.cluster and info.cluster.leader:
                return str(info.cluster.leader)
        except (nats.errors.Error, nats.js.errors.Error, TimeoutError):
            pass
        await asyncio.sleep(0.1)


async def _quiet(_: Exception) -> None:
    """Connection errors while a node is down are the point here; the publisher counts them."""


async def _measure(cluster: NatsCluster) -> dict[str, float]:
    options: dict[str, Any] = {"max_reconnect_attempts": -1, "reconnect_time_wait": 0.2, "error_cb": _quiet}
    nc = await nats.connect(cluster.urls, **options)
    control = await nats.connect(cluster.urls, **options)
    try:
        js = nc.jetstream(timeout=5)
        while True:  # the cluster elects its meta leader first
            try:
                await ensure_streams(js, replicas=3)
                break
            except (nats.errors.Error, nats.js.errors.Error, TimeoutError):
                await asyncio.sleep(0.5)
        publisher = Publisher(js)
        await publisher.publish_for(1.0)  # warm up
        started = time.monotonic()
        await publisher.publish_for(STEADY_SECONDS)
        steady_end = time.monotonic()
        steady_acks = len([t for t in publisher.acks if t >= started])
        steady_pause = publisher.longest_pause(started, steady_end)
        failures_before = publisher.failures
        stop = asyncio.Event()
        publishing = asyncio.create_task(publisher.publish_until(stop))
        gaps = []
        for _ in range(CRASHES):
            await asyncio.sleep(1.0)
            leader = await _leader(control)
            window = time.monotonic() - 0.5
            cluster.nodes[leader].kill()
            while (await _leader(control)) == leader:
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)
            cluster.nodes[leader].start()
            await asyncio.sleep(1.0)
            gaps.append(publisher.longest_pause(window, time.monotonic()))
        stop.set()
        await publishing
        info = await js.stream_info(STREAM)
        stored = info.state.messages
    finally:
        await control.close()
        await nc.close()
    if stored != len(publisher.ids):
        raise AssertionError(f"{STREAM} holds {stored} messages for {len(publisher.ids)} acknowledged events")
    return {
        "steady_per_s": steady_acks / (steady_end - started),
        "steady_pause_ms": steady_pause * 1000,
        "gap_median_ms": statistics.median(gaps) * 1000,
        "gap_max_ms": max(gaps) * 1000,
        "crashes": len(gaps),
        "events": len(publisher.ids),
        "failures": publisher.failures - failures_before,
        "ratio": statistics.median(gaps) / steady_pause if steady_pause else float("inf"),
    }


def run() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="qn-bench-cluster-") as tmp:
        cluster = NatsCluster(Path(tmp)).start()
        try:
            return asyncio.run(_measure(cluster))
        finally:
            cluster.stop()


def report(figures: dict[str, float]) -> str:
    return "\n".join(
        [
            "three nodes on loopback, QN_INTAKE with 3 replicas, one publisher awaiting each ack (as the relay):",
            f"  without a fault: {figures['steady_per_s']:>7,.0f} acked events/s; longest pause between acks "
            f"{figures['steady_pause_ms']:,.0f} ms",
            f"  stream leader killed {figures['crashes']:.0f} times: publish gap median "
            f"{figures['gap_median_ms']:,.0f} ms, longest {figures['gap_max_ms']:,.0f} ms "
            f"({figures['failures']:.0f} refused or unanswered publishes, each sent again)",
            f"  {figures['events']:,.0f} acknowledged events, each stored once (checked)",
            f"  ratio gap / longest pause without a fault: {figures['ratio']:.0f}",
        ]
    )


if __name__ == "__main__":
    print(report(run()))
