"""Fixtures for testing the shared infrastructure with the probe service (qn_testkit.probe)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from qn_infra.embedded_broker import NatsServer
from qn_testkit.databases import DatabaseFactory
from qn_testkit.probe import Probe, build_probe


@pytest.fixture
def probe_factory(databases: DatabaseFactory, nats_server: NatsServer) -> Iterator[Callable[..., Probe]]:
    def make(**settings: object) -> Probe:
        runtime, effects, _ = build_probe(databases.create("probe"), nats_server.url, **settings)
        return Probe(runtime, effects)

    yield make


@pytest.fixture
async def cleanup() -> AsyncIterator[list[Probe]]:
    """Probes appended here are stopped after the test."""
    probes: list[Probe] = []
    yield probes
    for probe in probes:
        await probe.runtime.stop()
