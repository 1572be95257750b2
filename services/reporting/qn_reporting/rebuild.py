"""Rebuilding the aggregates from the event streams.

The streams keep every event (no max age), so the projections are disposable: deleting
reporting's durable consumers makes the next start create them afresh, delivering every stored
event from the beginning, and emptying the aggregates and processed ids lets each event count
again -- once.

Order matters: the consumers are deleted first. If the command stops half-way, the aggregates
are intact, and a replay into them finds every id already processed and changes nothing; running
the command again finishes the job."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.js.errors import NotFoundError

from qn_infra.messaging import Durable
from qn_infra.runtime import ServiceRuntime

from .db import PROCESSED_EVENTS
from .figures import store

HELP = """Forget every aggregate and count all events again from the streams.

Stop every reporting replica first. The command then
  1. deletes reporting's durable consumers on the NATS server (one per producing stream), so
     the next start re-creates them and they deliver every stored event from the start;
  2. empties the aggregates, the site-to-quarter table and the processed event ids.
Start reporting again afterwards; the figures are complete once it has caught up.
The command refuses to run while a consumer is being pulled from (a replica still running),
unless --force is given."""


class StillRunning(RuntimeError):
    """A reporting replica is still pulling from a consumer that would be deleted."""


@dataclass(frozen=True)
class Rebuilt:
    deleted_consumers: list[str]


async def _delete_consumers(servers: list[str], durables: Sequence[Durable], *, force: bool) -> list[str]:
    nc = await nats.connect(servers, connect_timeout=5, max_reconnect_attempts=2, allow_reconnect=False)
    try:
        js = nc.jetstream()
        present = []
        for durable in durables:
            try:
                present.append((durable, await js.consumer_info(durable.stream, durable.name)))
            except NotFoundError:
                continue
        # a running replica keeps a pull request waiting on its consumer almost all the time
        for _ in range(3):
            busy = [d.name for d, info in present if info.num_waiting]
            if busy and not force:
                raise StillRunning(f"reporting seems to be running (pulling from {', '.join(busy)}); stop it first")
            await asyncio.sleep(0.2)
        for durable, _ in present:
            await js.delete_consumer(durable.stream, durable.name)
        return [durable.name for durable, _ in present]
    finally:
        await nc.close()


def rebuild(runtime: ServiceRuntime, *, force: bool = False) -> Rebuilt:
    """Deletes the durable consumers, then empties the aggregates (see the module docstring)."""
    deleted = asyncio.run(_delete_consumers(runtime.settings.nats_servers, runtime.messaging.durables, force=force))
    with runtime.unit_of_work() as uow:
        store.forget_everything(uow.session, PROCESSED_EVENTS)
        uow.commit()
    runtime.engine.dispose()
    return Rebuilt(deleted)
