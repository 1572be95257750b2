"""The probe service as a process of its own, so that a test can kill it at an exact point:
`python -m qn_testkit.probe_process <database url> <nats url> [--die-after-commit]`.

Its batch consumer `probe-concerns` counts each concern's effect. With `--die-after-commit` the
process ends itself (os._exit, no clean-up, like SIGKILL) right after the first batch that had an
effect has committed -- before a single message of that batch is acknowledged."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Sequence
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from qn_contracts.intake import ConcernRecorded
from qn_infra.consumers import Delivery
from qn_infra.unit_of_work import UnitOfWork

from .probe import build_probe

KILLED_EXIT_CODE = 9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("nats_url")
    parser.add_argument("--die-after-commit", action="store_true")
    args = parser.parse_args()
    runtime, effects, _ = build_probe(
        args.database_url, args.nats_url, consumer_batch_size=64, consumer_ack_wait_seconds=2.0
    )  # redelivered soon after a death

    def count(deliveries: Sequence[Delivery[Any]], uow: UnitOfWork) -> None:
        insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(effects)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={"n": effects.c.n + 1})
        uow.session.execute(statement, [{"key": str(d.event.concern_id), "n": 1} for d in deliveries])
        if args.die_after_commit:
            sa_event.listen(uow.session, "after_commit", lambda _: os._exit(KILLED_EXIT_CODE))

    runtime.consume_batch("concerns", ConcernRecorded.spec.subject, count, types=[ConcernRecorded])

    async def serve() -> None:
        await runtime.start()
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
