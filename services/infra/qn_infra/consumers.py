"""Idempotent batch consumers: a service registers a plain handler, and this module makes it
durable, explicitly acknowledged and exactly-once in effect -- a fetched batch at a time.

    runtime.consume_batch("intake-events", "qn.v1.intake.>", handlers.record_events)

    def record_events(deliveries: Sequence[Delivery], uow: UnitOfWork) -> None:
        ...  # fold the batch, change state, uow.emit(...) -- no commit: the consumer commits

    runtime.consume("help-requested", HelpRequested, handlers.propose_match)  # one event at a time

    def propose_match(event: HelpRequested, meta: EventMeta, uow: UnitOfWork) -> None: ...

A batch is handled in one worker-thread hop and one transaction, which also records the ids of
the events it handled: one statement inserts them and returns those not seen before, and only
those reach the handler, so a redelivered event has no second effect. The consumer loop
(`consumer_loop`) acknowledges after the commit.

Before a handler sees an event, the message must agree with the contract (`qn_contracts.admit`):
subject, type, source, schema, version and stream, a body within the size limit, and a body that
validates. A message that does not is dead-lettered with the reason. An event type the contracts
do not know but whose parts agree is acknowledged and ignored -- a newer producer's additive event.

When a batch fails, it is split in halves and each half retried in its own transaction, down to
the single message that fails; that one is retried with backoff or dead-lettered (`dead_letter`),
and the others take effect. A database that is away fails every half alike: then the whole batch
is retried later, without splitting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError

from qn_contracts import Event, EventMeta, WireFormatError, admit, decode_body

from .dead_letter import PERMANENT, reason_of
from .logs import bind_correlation
from .tracing import consuming_batch
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from .runtime import ServiceRuntime

E = TypeVar("E", bound=Event)


@dataclass(frozen=True)
class Delivery(Generic[E]):
    """One event as a handler receives it: the typed body and its CloudEvents context."""

    event: E
    meta: EventMeta


BatchHandler = Callable[[Sequence[Delivery[Any]], UnitOfWork], None]
Handler = Callable[[E, EventMeta, UnitOfWork], None]


@dataclass(frozen=True)
class RawMessage:
    """What the broker delivered, before anything is believed of it."""

    subject: str
    stream: str
    headers: dict[str, str]
    body: bytes
    delivered: int
    """How often the broker has delivered this message, this time included."""
    stream_sequence: int = 0
    """Where the message is in its stream (0 where not known, e.g. in a rebuild's replay)."""
    pending: int = 0
    """How many messages wait for this consumer after this one."""


class Verdict(Enum):
    ACK = "ack"
    """Handled (or a duplicate, or an unknown type): acknowledge."""
    RETRY = "retry"
    """A transient failure: deliver again after a delay."""
    DEAD = "dead"
    """Will never succeed: dead-letter with the reason, then terminate."""


@dataclass
class Outcome:
    verdict: Verdict
    label: str
    """What happened, for the metric: processed, duplicate, ignored, retried, dead_lettered."""
    reason: str = ""


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable consumer `<service>-<name>` of `subject` (wildcards allowed), and what it accepts."""

    name: str
    durable: str
    subject: str
    handler: BatchHandler
    types: frozenset[type[Event]] | None = None
    """The event classes the handler takes; others with consistent parts are acknowledged and
    ignored. None: every class the contracts know."""
    description: str = ""


@dataclass
class _Admitted:
    index: int
    delivery: Delivery[Any]


@dataclass
class BatchProcessor:
    """Handles one fetched batch: decides, for each message, ack, retry or dead letter. Plain and
    synchronous; the consumer loop runs it in a worker thread, once per batch."""

    runtime: ServiceRuntime
    spec: ConsumerSpec
    max_event_bytes: int
    _insert_ids: Any = field(default=None, init=False)

    def __call__(self, messages: Sequence[RawMessage]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(messages)
        admitted: list[_Admitted] = []
        for index, message in enumerate(messages):
            try:
                delivery = self._admit(message)
            except WireFormatError as exc:
                outcomes[index] = Outcome(Verdict.DEAD, "dead_lettered", f"invalid message: {exc}")
                continue
            if delivery is None:
                outcomes[index] = Outcome(Verdict.ACK, "ignored")
            else:
                admitted.append(_Admitted(index, delivery))
        self._handle(admitted, outcomes, messages)
        return [outcome or Outcome(Verdict.ACK, "processed") for outcome in outcomes]

    def _admit(self, message: RawMessage) -> Delivery[Any] | None:
        event_class, meta = admit(
            message.subject, message.headers, message.body, stream=message.stream, max_bytes=self.max_event_bytes
        )
        if event_class is None or (self.spec.types is not None and event_class not in self.spec.types):
            return None
        return Delivery(decode_body(event_class, message.body, message.subject), meta)

    def _handle(self, part: list[_Admitted], outcomes: list[Outcome | None], messages: Sequence[RawMessage]) -> None:
        if not part:
            return
        try:
            duplicates = self._run(part, messages)
        except OperationalError as exc:
            # the database is away or locked: every half would fail alike -- retry all later
            for item in part:
                outcomes[item.index] = Outcome(Verdict.RETRY, "retried", reason_of(exc))
            return
        except Exception as exc:  # noqa: BLE001 -- find the message that fails, let the others pass
            if len(part) > 1:
                middle = len(part) // 2
                self._handle(part[:middle], outcomes, messages)
                self._handle(part[middle:], outcomes, messages)
                return
            verdict = Verdict.DEAD if isinstance(exc, PERMANENT) and not isinstance(exc, DBAPIError) else Verdict.RETRY
            label = "dead_lettered" if verdict is Verdict.DEAD else "retried"
            outcomes[part[0].index] = Outcome(verdict, label, reason_of(exc))
            return
        for position in duplicates:
            outcomes[part[position].index] = Outcome(Verdict.ACK, "duplicate")

    def _run(self, part: list[_Admitted], messages: Sequence[RawMessage]) -> set[int]:
        """One transaction: record the ids, hand the new events to the handler, commit. Returns
        the positions in `part` of events handled before (or earlier in this batch)."""
        headers = [messages[item.index].headers for item in part]
        with consuming_batch(self.spec.durable, self.spec.subject, headers), self.runtime.unit_of_work() as uow:
            fresh, duplicates = self._first_deliveries(uow, [item.delivery for item in part])
            if fresh:
                self.spec.handler(fresh, uow)
            uow.commit()
        return duplicates

    def _first_deliveries(
        self, uow: UnitOfWork, deliveries: list[Delivery[Any]]
    ) -> tuple[list[Delivery[Any]], set[int]]:
        first: dict[str, int] = {}
        duplicates: set[int] = set()
        for position, delivery in enumerate(deliveries):
            key = str(delivery.meta.id)
            if key in first:
                duplicates.add(position)  # the same event twice in one batch: the first counts
            else:
                first[key] = position
        now = uow.clock.now()
        rows = [{"consumer": self.spec.durable, "event_id": key, "processed_at": now} for key in first]
        new = set(uow.session.connection().execute(self._insert_statement(uow), rows).scalars())
        duplicates.update(position for key, position in first.items() if key not in new)
        return [deliveries[position] for key, position in first.items() if key in new], duplicates

    def _insert_statement(self, uow: UnitOfWork) -> Any:
        # built once: the same Core statement every batch, so SQLAlchemy compiles it once
        if self._insert_ids is None:
            table: Table | None = self.runtime.processed
            if table is None:
                raise RuntimeError("a consuming service needs a processed_events table")
            dialect = uow.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            self._insert_ids = insert(table).on_conflict_do_nothing().returning(table.c.event_id)
        return self._insert_ids


def handling(meta: EventMeta) -> None:
    """Events emitted and lines logged from here on are caused by the event `meta` describes and
    share its correlation id (its own id if it has none). A batch handler that emits calls it
    before each event's work; `one_at_a_time` does it for per-event handlers."""
    bind_correlation(meta.correlation_id or str(meta.id), str(meta.id))


def one_at_a_time(handler: Handler[Any]) -> BatchHandler:
    """A batch handler that hands each event to a per-event handler, in delivery order."""

    def handle(deliveries: Sequence[Delivery[Any]], uow: UnitOfWork) -> None:
        for delivery in deliveries:
            handling(delivery.meta)
            handler(delivery.event, delivery.meta, uow)

    return handle
