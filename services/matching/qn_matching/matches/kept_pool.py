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

The counter is read at a batch's start with the row locked (`FOR UPDATE` on PostgreSQL: a change
committed meanwhile waits for the batch; on SQLite the batch holds the write lock already) and
again after the batch's writes, which moved it by the pool's own proposals only. Equal to what
the next batch reads, the pool is used again; otherwise the next batch reads anew."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from qn_infra.unit_of_work import UnitOfWork

from .handlers import CandidatePool, MatchingPolicy
from .models import CANDIDATES_VERSION

_VERSION = select(CANDIDATES_VERSION.c.version).where(CANDIDATES_VERSION.c.id == 1).with_for_update()


@dataclass(frozen=True)
class _Kept:
    pool: CandidatePool
    version: int
    today: date


class KeptPool:
    """One consumer's candidate pool across batches; its batches run one after the other."""

    def __init__(self, policy: MatchingPolicy) -> None:
        self._policy = policy
        self._kept: _Kept | None = None

    def for_batch(self, uow: UnitOfWork, today: date) -> CandidatePool:
        """The pool kept from the last batch if it is still right, else a fresh one; either way
        it is kept for the next batch only if this one commits (`keep`)."""
        version = uow.session.connection().execute(_VERSION).scalar_one()
        kept, self._kept = self._kept, None
        if kept is not None and kept.version == version and kept.today == today:
            kept.pool.continue_in(uow)
            return kept.pool
        return CandidatePool(uow, self._policy, today=today)

    def keep(self, uow: UnitOfWork, pool: CandidatePool, today: date) -> None:
        """After the batch's writes: the counter as they left it, for when the batch commits."""
        kept = _Kept(pool, uow.session.connection().execute(_VERSION).scalar_one(), today)

        def committed() -> None:
            self._kept = kept

        uow.after_commit(committed)
