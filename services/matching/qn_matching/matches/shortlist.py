"""The next volunteer to ask, for many help requests against one pool of candidates (a batch):
the first of `domain.choose_next`, found without looking at every volunteer for every request.

`domain.rank` orders by continuity (who helped the person last time: looked at first, on its
own), then languages shared and skill level, then load, then next available time, then registration
date and id. For one kind of need, who can be asked and how many languages they share do not
change within a batch -- except that a volunteer who reaches their cap of open tasks drops out --
so only the volunteers sharing the most are kept (a `_Shortlist` per kind of need), grouped by
load; a proposal moves its volunteer up one load (or out, at their cap; a shortlist left empty is
built anew from who is still eligible). Among those of the lowest
load, the next available time changes only when a slot begins or ends: whoever is in a running
slot (available now, so ordered by registration) comes before whoever waits for one (ordered by
that slot's start), and an entry is looked at again only once its slot has begun or ended
(`domain.availability` says until when an answer holds). Volunteers who gave the same weekly slots
share one computation (`_Pattern`).

Local times are compared as wall-clock times, as `domain.next_available` does; if the local time
goes back (the repeated hour in autumn, a clock set back), the shortlists are built anew."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from ..volunteers.domain import Slot
from . import domain
from .domain import Availability, Candidate, Need, Ranked


class _Pattern:
    """One weekly availability (the same slots, given by one volunteer or several), with its
    `domain.availability` kept for as long as it holds."""

    __slots__ = ("_state", "slots")

    def __init__(self, slots: tuple[Slot, ...]) -> None:
        self.slots = slots
        self._state: Availability | None = None

    def at(self, now: datetime, local_now: datetime, tz: ZoneInfo) -> Availability:
        state = self._state
        if state is None or state.until is None or not state.since <= local_now < state.until:
            state = self._state = domain.availability(self.slots, now, tz)
        return state


class _Bucket:
    """The volunteers of a shortlist with one load, each in one of: `pending` (not looked at
    yet), `running` (a heap of (registered_at, id, slot ends)), `waiting` (a heap of (next slot
    starts, registered_at, id)) or `volatile` (slots without a promise: looked at every time).
    An entry of someone whose load has changed since is left behind and dropped when met."""

    __slots__ = ("pending", "running", "size", "volatile", "waiting")

    def __init__(self) -> None:
        self.size = 0
        """How many volunteers have this load (entries left behind not counted)."""
        self.pending: list[UUID] = []
        self.running: list[tuple[datetime, UUID, datetime]] = []
        self.waiting: list[tuple[datetime, datetime, UUID]] = []
        self.volatile: list[UUID] = []


class _Shortlist:
    """For one kind of need: the volunteers who can be asked and share the most languages."""

    def __init__(self, owner: Shortlists, members: Iterable[Candidate]) -> None:
        self._owner = owner
        self._members: set[UUID] = set()
        self._buckets: dict[int, _Bucket] = {}
        for candidate in members:
            self._members.add(candidate.volunteer_id)
            self._enter(candidate.volunteer_id, candidate.open_matches)

    def _enter(self, volunteer_id: UUID, load: int) -> None:
        bucket = self._buckets.get(load)
        if bucket is None:
            bucket = self._buckets[load] = _Bucket()
        bucket.size += 1
        bucket.pending.append(volunteer_id)

    def moved(self, volunteer_id: UUID, old_load: int, new_load: int) -> None:
        if volunteer_id not in self._members:
            return
        bucket = self._buckets[old_load]
        bucket.size -= 1
        if not bucket.size:
            del self._buckets[old_load]
        if domain.at_capacity(self._owner.current[volunteer_id]):
            # no longer eligible: their entries are dropped when met (their load has changed)
            self._members.discard(volunteer_id)
            return
        self._enter(volunteer_id, new_load)

    @property
    def empty(self) -> bool:
        return not self._members

    def best(self, now: datetime, local_now: datetime) -> UUID | None:
        """The id of the first in `domain.rank`'s order at `now`, or None if nobody can be asked."""
        if not self._buckets:
            return None
        load = min(self._buckets)
        bucket = self._buckets[load]
        current = self._owner.current
        if bucket.pending:
            self._place_pending(bucket, load, now, local_now)
        waiting = bucket.waiting
        # whose slot has begun since: running now, or (if it has ended too) waiting for the next
        while waiting and (waiting[0][0] <= local_now or current[waiting[0][2]].open_matches != load):
            volunteer_id = heapq.heappop(waiting)[2]
            if current[volunteer_id].open_matches == load:
                self._place(bucket, volunteer_id, now, local_now)
        running = bucket.running
        # whose slot has ended since: waiting for the next (or running in another slot)
        while running and (running[0][2] <= local_now or current[running[0][1]].open_matches != load):
            volunteer_id = heapq.heappop(running)[1]
            if current[volunteer_id].open_matches == load:
                self._place(bucket, volunteer_id, now, local_now)
        best: tuple[datetime, datetime, UUID] | None = None
        if running:  # available now: before anyone who waits for a slot
            registered_at, volunteer_id, _ = running[0]
            best = (local_now, registered_at, volunteer_id)
        elif waiting:
            best = waiting[0]
        if bucket.volatile:
            bucket.volatile[:] = [v for v in bucket.volatile if current[v].open_matches == load]
            for volunteer_id in bucket.volatile:
                candidate = current[volunteer_id]
                # never None: `ineligibility` let only volunteers with slots in, and every weekly
                # slot comes round within the week `next_available` looks at
                moment = domain.next_available(candidate.slots, now, self._owner.tz)
                if moment is not None:
                    key = (moment, candidate.registered_at, volunteer_id)
                    if best is None or key < best:
                        best = key
        return best[2] if best is not None else None

    def _place_pending(self, bucket: _Bucket, load: int, now: datetime, local_now: datetime) -> None:
        pending, bucket.pending = bucket.pending, []
        if len(pending) < 8:
            for volunteer_id in pending:
                if self._owner.current[volunteer_id].open_matches == load:
                    self._place(bucket, volunteer_id, now, local_now)
            return
        # many at once (a shortlist's first use, a load everyone has reached): append, then heapify
        owner = self._owner
        current, pattern_of, tz = owner.current, owner.pattern_of, owner.tz
        running, waiting, volatile = bucket.running, bucket.waiting, bucket.volatile
        for volunteer_id in pending:
            candidate = current[volunteer_id]
            if candidate.open_matches != load:
                continue
            state = pattern_of[volunteer_id].at(now, local_now, tz)
            if state.until is None:
                volatile.append(volunteer_id)
            elif state.running:
                running.append((candidate.registered_at, volunteer_id, state.until))
            else:
                waiting.append((state.moment, candidate.registered_at, volunteer_id))  # type: ignore[arg-type]
        heapq.heapify(running)
        heapq.heapify(waiting)

    def _place(self, bucket: _Bucket, volunteer_id: UUID, now: datetime, local_now: datetime) -> None:
        owner = self._owner
        state = owner.pattern_of[volunteer_id].at(now, local_now, owner.tz)
        if state.until is None:
            bucket.volatile.append(volunteer_id)
        elif state.running:
            heapq.heappush(bucket.running, (owner.current[volunteer_id].registered_at, volunteer_id, state.until))
        else:
            assert state.moment is not None  # a promise is given only for a moment found
            heapq.heappush(bucket.waiting, (state.moment, owner.current[volunteer_id].registered_at, volunteer_id))


class Shortlists:
    """A pool of candidates (one quarter's, for one batch) that answers `domain.choose_next` for
    request after request, each proposal counting toward its volunteer's load (`proposed`)."""

    def __init__(self, candidates: Iterable[Candidate], tz: ZoneInfo) -> None:
        self.tz = tz
        self.current: dict[UUID, Candidate] = {c.volunteer_id: c for c in candidates}
        """Each volunteer as the next request sees them (with the proposals made through here)."""
        self.pattern_of: dict[UUID, _Pattern] = {}
        self._shortlists: dict[tuple[object, ...], _Shortlist] = {}
        self._asked_once: set[tuple[object, ...]] = set()
        self._latest: datetime | None = None

    def _share_patterns(self) -> None:
        """Volunteers whose slots are one tuple (as the pool's parsing cache hands out for the same
        stored value) share one `_Pattern`; equal but separate tuples only cost a computation more."""
        patterns: dict[int, _Pattern] = {}
        for candidate in self.current.values():
            pattern = patterns.get(id(candidate.slots))
            if pattern is None:
                pattern = patterns[id(candidate.slots)] = _Pattern(candidate.slots)
            self.pattern_of[candidate.volunteer_id] = pattern

    def candidates(self) -> Iterable[Candidate]:
        return self.current.values()

    def proposed(self, volunteer_id: UUID) -> None:
        """`volunteer_id` was asked: one more open match for the requests after this one."""
        before = self.current[volunteer_id]
        after = self.current[volunteer_id] = domain.proposed(before)
        for shortlist in self._shortlists.values():
            shortlist.moved(volunteer_id, before.open_matches, after.open_matches)

    def choose_next(
        self, need: Need, now: datetime, *, asked: Sequence[UUID] = (), more_of_its_kind: bool = False
    ) -> Ranked | None:
        """`domain.choose_next(self.candidates(), need, now, tz, asked=asked)`. `more_of_its_kind`:
        the caller knows that more requests with this need follow (a batch), so the shortlist is
        built at once instead of after one plain pass."""
        if asked:  # a request asked before (an answer or the expiry job): as it is, once
            return domain.choose_next(self.current.values(), need, now, self.tz, asked=asked)
        familiar = self.current.get(need.helped_before) if need.helped_before is not None else None
        if familiar is not None:
            # continuity comes first in `domain.rank`'s order: who helped this person last time
            # is asked if they can be, whoever else the shortlist holds
            found = domain.ranked(familiar, need, now, self.tz)
            if found is not None:
                return found
        local_now = now.astimezone(self.tz)
        if self._latest is not None and local_now < self._latest:
            self._shortlists.clear()  # the local time went back: what held until now may not
        self._latest = local_now
        key = (
            need.quarter_id,
            need.required_skills,
            need.languages_wanted,
            need.vetting_needed_on,
            need.level_wanted,
            need.weekly_slot,
        )
        shortlist = self._shortlists.get(key)
        # an emptied shortlist (all who shared the most languages reached their cap) is built
        # anew from those still eligible: they may share fewer
        if shortlist is None or shortlist.empty:
            if key not in self._asked_once and not more_of_its_kind:
                # a kind of need seen once (a pool read for one request) costs one plain pass;
                # the shortlist pays from the second request of its kind on
                self._asked_once.add(key)
                return domain.choose_next(self.current.values(), need, now, self.tz)
            if not self.pattern_of:
                self._share_patterns()
            shortlist = self._shortlists[key] = _Shortlist(self, self._sharing_most(need))
        volunteer_id = shortlist.best(now, local_now)
        if volunteer_id is None:
            return None
        return domain.ranked(self.current[volunteer_id], need, now, self.tz)

    def _sharing_most(self, need: Need) -> list[Candidate]:
        """Who can be asked for `need` and shares the most languages with the person (and among
        them, has the skill level it asks for, if any does): the first in `domain.rank`'s order is
        always one of them, once the one who helped before is not (none of it changes with load or
        time)."""
        most: tuple[int, bool] = (-1, False)
        members: list[Candidate] = []
        for candidate in self.current.values():
            if domain.ineligibility(candidate, need) is not None:
                continue
            shared = (domain.shared_languages(candidate, need), domain.skilled(candidate, need))
            if shared > most:
                most, members = shared, [candidate]
            elif shared == most:
                members.append(candidate)
        return members
