"""The broker as a federation runs it: a three-node JetStream cluster with replicated streams. While
intake records concerns, the node that leads intake's stream is killed (SIGKILL) and restarted;
every concern intake accepted reaches reporting exactly once, and intake's stream holds it once.

Short by default (one crash); `QN_LONG_FAULTS=1` kills the leader again and again for longer."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import nats
import nats.js.errors
import pytest

from qn_infra.embedded_broker import NatsCluster
from qn_testkit.city import City, start_city, stop_city
from qn_testkit.recording import Recorder, concerns_counted
from qn_testkit.streams import stream_messages
from qn_testkit.waiting import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

LONG = os.environ.get("QN_LONG_FAULTS") == "1"
CRASHES = 6 if LONG else 1
DOWN_SECONDS = 3.0


def stream_leader(cluster: NatsCluster, stream: str) -> str:
    """The `server_name` of the node that leads `stream` now (asked of any node that answers)."""

    async def ask() -> str:
        nc = await nats.connect(cluster.urls, allow_reconnect=False, connect_timeout=2)
        try:
            info = await nc.jetstream(timeout=2).stream_info(stream)
        except (nats.errors.TimeoutError, nats.js.errors.APIError):
            return ""  # no leader while the others elect one
        finally:
            await nc.close()
        return str(info.cluster.leader) if info.cluster and info.cluster.leader else ""

    return asyncio.run(ask())


def recording(recorder: Recorder, what: str) -> None:
    """Waits until intake has accepted 15 more concerns."""
    before = len(recorder.accepted)
    eventually(lambda: len(recorder.accepted) >= before + 15, timeout=60, what=what)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[NatsCluster]:
    nodes = NatsCluster(tmp_path / "cluster").start()
    try:
        yield nodes
    finally:
        nodes.stop()


@pytest.fixture
def federation(cluster: NatsCluster, databases, tokens, tmp_path: Path) -> Iterator[City]:  # type: ignore[no-untyped-def]
    replicated = {"stream_replicas": 3}
    city = start_city(
        databases,
        tokens,
        tmp_path,
        nats=next(iter(cluster.nodes.values())),
        nats_url=cluster.url,
        only=("intake", "reporting"),
        intake=replicated,
        reporting=replicated,
    )
    try:
        yield city
    finally:
        stop_city(city)


def test_every_concern_accepted_while_the_stream_leader_crashes_reaches_reporting_exactly_once(
    cluster: NatsCluster, federation: City
) -> None:
    recorder = Recorder(federation)
    recorder.start()
    crashed = []
    try:
        for _ in range(CRASHES):
            eventually(
                lambda n=len(recorder.accepted): len(recorder.accepted) >= n + 15, what="concerns being recorded"
            )
            leader = eventually(lambda: stream_leader(cluster, "QN_INTAKE"), what="the stream's leader")
            cluster.nodes[leader].kill()  # SIGKILL: no clean shutdown, no leadership hand-over
            crashed.append(leader)
            down_since = time.monotonic()
            # the two others elect a new leader while intake goes on recording
            eventually(
                lambda old=leader: stream_leader(cluster, "QN_INTAKE") not in ("", old),
                timeout=30,
                what="a new stream leader",
            )
            time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down_since)))
            cluster.nodes[leader].start()
        eventually(
            lambda n=len(recorder.accepted): len(recorder.accepted) >= n + 15, what="recording after the crashes"
        )
    finally:
        recorder.stop_flag.set()
        recorder.join(30)

    assert 500 not in recorder.refused
    accepted = set(recorder.accepted)
    eventually(lambda: concerns_counted(federation) >= len(accepted), timeout=90, what="every accepted concern counted")
    time.sleep(2)  # a second count of anything would arrive by now
    assert concerns_counted(federation) == len(accepted)

    stored = [
        message.body["concern_id"]
        for message in asyncio.run(stream_messages(cluster.urls[0], "QN_INTAKE"))
        if message.subject == "qn.v1.intake.concern.recorded"
    ]
    assert sorted(stored) == sorted(accepted), "intake's stream holds every accepted concern, each once"
    assert len(crashed) == CRASHES
