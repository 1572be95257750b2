"""One transaction per use case: the state change, the events it emits (outbox) and, for a
consumer, the id of the event it handled (idempotency) commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any
from uuid import UUID

from sqlalchemy import Column, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from qn_contracts import Event, EventMeta

from .clock import Clock, SystemClock
from .database import UtcDateTime
from .outbox import outbox_row, write_outbox


def processed_events_table(metadata: MetaData) -> Table:
    """Ids of events a consumer has handled; declared in each consuming service's metadata."""
    return Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("processed_at", UtcDateTime, nullable=False),
    )


class UnitOfWork:
    """`with uow_factory() as uow: ...; uow.emit(event); uow.commit()`. Leaving the block without
    `commit()` rolls everything back."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        outbox: Table,
        processed: Table | None = None,
        on_commit: Callable[[], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._processed = processed
        self._on_commit = on_commit
        self.clock: Clock = clock or SystemClock()
        self._rows: list[dict[str, Any]] = []
        self._after_commit: list[Callable[[], None]] = []
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self._rows = []
        self._after_commit = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def emit(self, event: Event) -> EventMeta:
        """Stages an event; it is written to the outbox at `commit()`, in the same transaction,
        and published after, and only if, the commit succeeds."""
        meta, row = outbox_row(event, self.clock.now())
        self._rows.append(row)
        return meta

    def first_delivery(self, consumer: str, event_id: UUID | str) -> bool:
        """Records that `consumer` handles `event_id`; False if it already did (skip the effect)."""
        if self._processed is None:
            raise RuntimeError("this unit of work has no processed_events table")
        values = {"consumer": consumer, "event_id": str(event_id), "processed_at": self.clock.now()}
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(self._processed).values(**values).on_conflict_do_nothing().returning(self._processed.c.event_id)
        )
        # RETURNING, not rowcount: drivers disagree on rowcount after ON CONFLICT DO NOTHING
        return self.session.execute(statement).first() is not None

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Calls `callback` once this unit of work has committed; never if it rolls back. For
        what a process keeps in memory that is true only if the transaction took effect."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        write_outbox(self.session, self._outbox, self._rows)
        self.session.commit()
        if self._rows and self._on_commit is not None:
            self._on_commit()
        self._rows = []
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()
