"""The help-request consumer's candidates, kept from one batch to the next.

Reading a quarter's volunteers with their load and building their shortlists was most of what a
batch cost beyond its own requests (1,000 volunteers: a fifth of the consumer's time), and it
gave the same result batch after batch while nobody else changed anything. A pool read for one
batch is still right for the next when:

- nothing it was read from changed since, other than through the pool itself: no volunteer, no
  absence, no proposal made or answered, expired, withdrawn, completed or called off -- by an HTTP
  request, a job, another consumer or another replica. The database's `candidates_version`
  counter says so: triggers move it on every such write, whoever makes it (migration 0007);
- its own proposals took effect: the pool counted them into their volunteers' load as it made
  them, which is true only once the batch committed. A batch that rolls back (a failing event,
  bisection) drops the pool;
- it is the same day: absences and police-certificate checks were read for a day.

A batch reads the counter at its start and again, locked, after its own writes; the pool is
kept with the second value if nobody else moved the counter in between:

- SQLite: the batch holds the write lock from its first statement (BEGIN IMMEDIATE), so nobody
  else can have; the counter moved by the batch's own proposals only.
- PostgreSQL: another transaction may commit meanwhile. The triggers move the counter at
  commit (deferred), once per transaction, naming it (`changed_in`). After its writes the batch
  has its own move made at once (`SET CONSTRAINTS ALL IMMEDIATE`) and reads the counter locked:
  it must be the one the batch started with, plus one if the batch moved it. Locked only then,
  after the batch's proposals have locked their volunteers' keys (foreign keys), and never
  waiting for a row while holding it, the counter's lock closes no cycle with any other
  writer -- who all take it last, at their commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text

from qn_infra.unit_of_work import UnitOfWork

from .handlers import CandidatePool, MatchingPolicy
from .models import CANDIDATES_VERSION

_VERSION = select(CANDIDATES_VERSION.c.version).where(CANDIDATES_VERSION.c.id == 1)
# PostgreSQL, after the batch's writes: the counter, locked, and whether this transaction moved it
_MOVE_NOW = text("SET CONSTRAINTS ALL IMMEDIATE")
_VERSION_AND_OWN_MOVE = (
    select(CANDIDATES_VERSION.c.version, CANDIDATES_VERSION.c.changed_in == func.txid_current())
    .where(CANDIDATES_VERSION.c.id == 1)
    .with_for_update()
)


@dataclass(frozen=True)
class _Kept:
    pool: CandidatePool
    version: int
    today: date


@dataclass(frozen=True)
class _Batch:
    pool: CandidatePool
    started_at: int
    """The counter when the batch began."""
    today: date


class KeptPool:
    """One consumer's candidate pool across batches; its batches run one after the other."""

    def __init__(self, policy: MatchingPolicy) -> None:
        self._policy = policy
        self._kept: _Kept | None = None
        self._batch: _Batch | None = None

    def for_batch(self, uow: UnitOfWork, today: date) -> CandidatePool:
        """The pool kept from the last batch if it is still right, else a fresh one; either way
        it is kept for the next batch only if this one commits unchanged by others (`keep`)."""
        version = int(uow.session.connection().execute(_VERSION).scalar_one())
        kept, self._kept = self._kept, None
        if kept is not None and kept.version == version and kept.today == today:
            kept.pool.continue_in(uow)
            pool = kept.pool
        else:
            pool = CandidatePool(uow, self._policy, today=today)
        self._batch = _Batch(pool, version, today)
        return pool

    def keep(self, uow: UnitOfWork) -> None:
        """After the batch's writes: keeps its pool for the next batch once it commits, if nobody
        else changed a candidate meanwhile."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        connection = uow.session.connection()
        if connection.dialect.name == "sqlite":
            # the batch has held the write lock since its first statement: only it moved the counter
            version = int(connection.execute(_VERSION).scalar_one())
        else:
            connection.execute(_MOVE_NOW)  # this batch's own move, deferred to its commit otherwise
            version, moved_it = connection.execute(_VERSION_AND_OWN_MOVE).one()
            if version != batch.started_at + (1 if moved_it else 0):
                return  # another transaction committed a change during the batch: read anew
        kept = _Kept(batch.pool, int(version), batch.today)

        def committed() -> None:
            self._kept = kept

        uow.after_commit(committed)
