"""A minimal service built from the shared infrastructure alone: one table of effects, the outbox,
processed events -- enough to test relay, idempotency and dead-lettering on a real broker."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table, select

from qn_infra.clock import Clock
from qn_infra.database import make_engine, new_metadata
from qn_infra.outbox import outbox_table
from qn_infra.runtime import ServiceRuntime
from qn_infra.settings import ServiceSettings
from qn_infra.unit_of_work import processed_events_table


class ProbeSettings(ServiceSettings):
    service_name: ClassVar[str] = "probe"
    default_port: ClassVar[int] = 8099


class Probe:
    """The test service: `effects` counts what its consumer did, per concern."""

    def __init__(self, runtime: ServiceRuntime, effects: Table) -> None:
        self.runtime = runtime
        self.effects = effects

    def effect_count(self, key: str) -> int:
        with self.runtime.engine.connect() as connection:
            value = connection.execute(select(self.effects.c.n).where(self.effects.c.key == key)).scalar()
        return int(value or 0)

    async def until(self, check: Callable[[], bool], timeout: float = 20.0) -> None:
        await wait_for(lambda: _now(check), timeout=timeout)


async def _now(check: Callable[[], bool]) -> bool:
    return check()


async def wait_for(check: Callable[[], Awaitable[object]], *, timeout: float = 20.0, what: str = "condition") -> object:
    """Awaits `check()` until it returns something truthy (returned) or `timeout` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s; last: {result!r}")
        await asyncio.sleep(0.1)


def build_probe(
    database_url: str, nats_url: str, clock: Clock | None = None, **settings: object
) -> tuple[ServiceRuntime, Table, MetaData]:
    metadata = new_metadata()
    outbox = outbox_table(metadata)
    processed = processed_events_table(metadata)
    effects = Table(
        "effects", metadata, Column("key", String(64), primary_key=True), Column("n", Integer, nullable=False)
    )
    engine = make_engine(database_url)
    metadata.create_all(engine)
    engine.dispose()
    runtime = ServiceRuntime(
        ProbeSettings(
            database_url=database_url,
            nats_url=nats_url,
            outbox_poll_seconds=0.1,
            consumer_backoff_seconds=(0.2, 0.2, 0.2),
            **{"outbox_relay": "task", **settings},
        ),  # type: ignore[arg-type]
        outbox=outbox,
        processed=processed,
        clock=clock,
    )
    return runtime, effects, metadata


async def started(probe: Probe) -> Probe:
    await probe.runtime.start()
    await probe.until(lambda: probe.runtime.broker_started)
    return probe
