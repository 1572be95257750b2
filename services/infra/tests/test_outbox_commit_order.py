"""The relay under concurrent commits, on a real nats-server and database: every committed event
reaches the stream once and in commit order; a commit that fails -- in the outbox's insert or in
the commit itself -- publishes nothing and holds up no later event."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Sequence

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from qn_contracts.intake import ConcernRecorded
from qn_infra.runtime import ServiceRuntime
from qn_testkit.probe import Probe, started, wait_for
from qn_testkit.streams import stream_messages

pytestmark = pytest.mark.integration


def concern_event(thread: int = 0, n: int = 0) -> ConcernRecorded:
    # which thread emitted it, and as its how-manieth, rides in the concern id's last digits
    return ConcernRecorded(
        concern_id=uuid.UUID(int=(uuid.uuid4().int >> 32 << 32) | thread << 16 | n),
        quarter_id="innenstadt-sued",
        channel="walk_in",
        topics=["einsamkeit"],
        urgency="soon",
    )


def commit_events(runtime: ServiceRuntime, events: Sequence[ConcernRecorded]) -> None:
    with runtime.unit_of_work() as uow:
        for each in events:
            uow.emit(each)
        uow.commit()


def unpublished(runtime: ServiceRuntime) -> int:
    outbox = runtime.outbox
    with runtime.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).where(outbox.c.published_at.is_(None))) or 0)


async def stream_concern_ids(url: str, count: int, timeout: float = 30.0) -> list[str]:
    async def enough() -> list[str]:
        ids = [m.body["concern_id"] for m in await stream_messages(url, "QN_INTAKE")]
        return ids if len(ids) >= count else []

    return await wait_for(enough, timeout=timeout, what=f"{count} events on the stream")  # type: ignore[return-value]


async def test_events_committed_from_many_threads_reach_the_stream_once_and_in_commit_order(
    probe_factory, nats_server, cleanup
) -> None:
    probe: Probe = await started(probe_factory())
    cleanup.append(probe)
    threads, transactions = 6, 40

    def work(thread: int) -> None:
        for n in range(transactions):
            commit_events(probe.runtime, [concern_event(thread, 2 * n), concern_event(thread, 2 * n + 1)])

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        await asyncio.to_thread(worker.join)
    total = threads * transactions * 2
    on_stream = await stream_concern_ids(nats_server.url, total)

    assert len(on_stream) == total and len(set(on_stream)) == total, "each event once"
    for thread in range(threads):  # each thread's transactions one after the other: their order holds
        numbers = [int(uuid.UUID(i)) & 0xFFFF for i in on_stream if (int(uuid.UUID(i)) >> 16) & 0xFFFF == thread]
        assert numbers == list(range(2 * transactions)), f"thread {thread}'s events out of order"
    # and all of them in the order they committed, which the outbox's ids record (on SQLite a
    # transaction holds the write lock from its first statement, so ids follow commits; on
    # PostgreSQL ids are taken at insert, and concurrent transactions commit in any order)
    if probe.runtime.engine.dialect.name == "sqlite":
        outbox = probe.runtime.outbox
        with probe.runtime.engine.connect() as connection:
            bodies = connection.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars().all()
        assert on_stream == [str(ConcernRecorded.model_validate_json(b).concern_id) for b in bodies]
    await probe.until(lambda: unpublished(probe.runtime) == 0)


async def test_a_commit_that_fails_publishes_nothing_and_holds_up_no_later_event(
    probe_factory, nats_server, cleanup
) -> None:
    probe: Probe = await started(probe_factory())
    cleanup.append(probe)
    runtime = probe.runtime
    lost = [concern_event(), concern_event()]
    with runtime.unit_of_work() as uow, pytest.raises(IntegrityError):
        meta = uow.emit(lost[0])
        # a row with the same event id: the outbox's insert fails inside commit()
        uow.session.execute(
            runtime.outbox.insert().values(
                event_id=str(meta.id), subject="x", headers={}, body=b"", created_at=runtime.clock.now(), attempts=0
            )
        )
        uow.commit()
    with runtime.unit_of_work() as uow, pytest.raises(RuntimeError, match="refused"):
        uow.emit(lost[1])

        def refuse(_: object) -> None:  # the commit itself fails, after the outbox's insert
            raise RuntimeError("the database refused the commit")

        event.listen(uow.session, "before_commit", refuse)
        uow.commit()
    kept = [concern_event() for _ in range(3)]
    commit_events(runtime, kept)

    assert await stream_concern_ids(nats_server.url, 3, timeout=10) == [str(e.concern_id) for e in kept]
    await asyncio.sleep(0.5)  # a late publish of the failed transaction's event would show by now
    assert len(await stream_messages(nats_server.url, "QN_INTAKE")) == 3
