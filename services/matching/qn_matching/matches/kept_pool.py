"""The help-request consumer's candidates, kept from one batch to the next.

Reading a quarter's volunteers with their load and building their shortlists was most of what a
batch cost beyond its own requests (1,000 volunteers: a fifth of the consumer's time), and it
gave the same result batch after batch while nobody else changed anything. A pool read for one
batch is still right for the next when:

- nothing it was read from changed since, other than through the pool itself: no volunteer, no
  absence, no proposal made or answered, expired, withdrawn, completed or called off -- by an HTTP
  request, a job, another consumer or another replica. The database's `candidates_version`
  counter says so: triggers move it on every such write, whoever makes it (migration 0007) --
  except a new proposal on SQLite, which the highest `matches` rowid tells instead (a row
  trigger there cost a tenth of the consumer's time; migration 0008). Together they are the
  candidates' *state* (`candidates_state`);
- its own proposals took effect: the pool counted them into their volunteers' load as it made
  them, which is true only once the batch committed. A batch that rolls back (a failing event,
  bisection) drops the pool;
- it is the same day: absences and police-certificate checks were read for a day.

A batch reads the state at its start and again, locked, after its own writes; the pool is
kept with the second value if nobody else changed it in between:

- SQLite: the batch holds the write lock from its first statement (BEGIN IMMEDIATE), so nobody
  else can have; the state moved by the batch's own proposals only.
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

from sqlalchemy import Connection, func, select, text

from qn_infra.unit_of_work import UnitOfWork

from .handlers import CandidatePool, MatchingPolicy
from .models import CANDIDATES_VERSION

_VERSION = select(CANDIDATES_VERSION.c.version).where(CANDIDATES_VERSION.c.id == 1)
# SQLite: the counter and the highest proposal's rowid, in one statement. A new row's rowid is
# above every row's; a removed one moves the counter (so a rowid used again is no old state)
_SQLITE_STATE = text("SELECT version, (SELECT max(rowid) FROM matches) FROM candidates_version WHERE id = 1")
# PostgreSQL, after the batch's writes: the counter, locked, and whether this transaction moved it
_MOVE_NOW = text("SET CONSTRAINTS ALL IMMEDIATE")
_VERSION_AND_OWN_MOVE = (
    select(CANDIDATES_VERSION.c.version, CANDIDATES_VERSION.c.changed_in == func.txid_current())
    .where(CANDIDATES_VERSION.c.id == 1)
    .with_for_update()
)


def candidates_state(connection: Connection) -> tuple[int, int]:
    """What the candidates were read from, in two numbers: equal states mean nothing that
    decides who can be proposed, or their load, changed in between; every such write makes it
    greater (PostgreSQL: once its transaction commits)."""
    if connection.dialect.name == "sqlite":
        version, highest_proposal = connection.execute(_SQLITE_STATE).one()
        return int(version), int(highest_proposal or 0)
    # PostgreSQL: a new proposal moves the counter too (deferred, once per transaction)
    return int(connection.execute(_VERSION).scalar_one()), 0


@dataclass(frozen=True)
class _Kept:
    pool: CandidatePool
    state: tuple[int, int]
    today: date


@dataclass(frozen=True)
class _Batch:
    pool: CandidatePool
    started_at: tuple[int, int]
    """The candidates' state when the batch began."""
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
        state = candidates_state(uow.session.connection())
        kept, self._kept = self._kept, None
        if kept is not None and kept.state == state and kept.today == today:
            kept.pool.continue_in(uow)
            pool = kept.pool
        else:
            pool = CandidatePool(uow, self._policy, today=today)
        self._batch = _Batch(pool, state, today)
        return pool

    def keep(self, uow: UnitOfWork) -> None:
        """After the batch's writes: keeps its pool for the next batch once it commits, if nobody
        else changed a candidate meanwhile."""
        batch, self._batch = self._batch, None
        if batch is None:
            return
        connection = uow.session.connection()
        if connection.dialect.name == "sqlite":
            # the batch has held the write lock since its first statement: only it changed the state
            state = candidates_state(connection)
        else:
            connection.execute(_MOVE_NOW)  # this batch's own move, deferred to its commit otherwise
            version, moved_it = connection.execute(_VERSION_AND_OWN_MOVE).one()
            if version != batch.started_at[0] + (1 if moved_it else 0):
                return  # another transaction committed a change during the batch: read anew
            state = (int(version), 0)
        kept = _Kept(batch.pool, state, batch.today)

        def committed() -> None:
            self._kept = kept

        uow.after_commit(committed)
