"""Folding every event of the streams in memory, for a rebuild: the same cells as the live
consumer (`handlers.record_events` with `domain.tally`) arrives at, without a database round
trip per batch.

Events are grouped by what decides their cells -- event type, month, quarter and topics -- and
only the number of events and the sum of their measure are kept per group; the groups become
cells once, at the end (`cells`). Site placement follows the live consumer: an event that names
a site but no quarter takes the quarter of the site's latest `site.updated` before it, or, if
none came yet, waits under the site (and counts without a quarter) until one does; events of a
site never placed stay without a quarter and are listed as unplaced, as the live tables hold
them. The ids of the events folded are kept as 16-byte UUIDs, per consumer, so that a second
copy of an event counts once and the ids can be recorded as processed afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from qn_contracts import Event, EventMeta
from qn_contracts.scheduling import SiteUpdated

from ..breakdowns import store as breakdowns
from .catalogue import MEASURES, metric_of
from .domain import ALL_TOPICS, NO_QUARTER, Cell, hundredths, month_of, topics_of

GroupKey = tuple[type[Event], str, str, tuple[str, ...]]
"""(event type, month, quarter, topics incl. '*')."""
HeldKey = tuple[type[Event], str, tuple[str, ...]]
"""(event type, month, topics incl. '*') of events waiting for their site's quarter."""

K = TypeVar("K", GroupKey, HeldKey)

_NO_TOPICS = (ALL_TOPICS,)
"""`domain.topics_of` of an event without topics."""


@dataclass(frozen=True)
class _Shape:
    """Which of the fields the rules read an event type has (a missing attribute of a pydantic
    model is slow to find out about, and would be asked for every event)."""

    site: bool
    quarter: bool
    topics: bool
    measure: str | None


_SHAPES: dict[type[Event], _Shape] = {}


def _shape(cls: type[Event]) -> _Shape:
    fields = cls.model_fields
    measure = MEASURES.get(cls)
    shape = _Shape("site_id" in fields, "quarter_id" in fields, "topics" in fields, measure.field if measure else None)
    _SHAPES[cls] = shape
    return shape


@dataclass
class Cells:
    counts: dict[Cell, int] = field(default_factory=dict)
    sums: dict[Cell, int] = field(default_factory=dict)
    unplaced: dict[tuple[str, str, Cell], int] = field(default_factory=dict)
    """(site, 'count' or 'sum', quarter-less cell) -> value, as `store.Fold.unplaced`."""


class Replay:
    """Events in stream order in, cells out. Not thread-safe; one instance per rebuild."""

    def __init__(self) -> None:
        self._groups: dict[GroupKey, list[int]] = {}
        """-> [number of events, sum of their measure in hundredths]"""
        self._held: dict[str, dict[HeldKey, list[int]]] = {}
        self.sites: dict[str, str | None] = {}
        """Site -> quarter of its latest `site.updated`, None for a site only seen in events
        without a quarter (the live `site_quarters` table)."""
        self._seen: dict[str, set[bytes]] = {}
        self._months: dict[tuple[int, int, int, int, timedelta], str] = {}
        self.events = 0
        """Events folded (second copies not included)."""
        self.finer = breakdowns.Fold()
        """The breakdowns, freshness and offers' names, as the live consumer keeps them."""

    def first_time(self, consumer: str, meta: EventMeta) -> bool:
        """Records that `consumer` handles the event; False for a second copy (skip it)."""
        seen = self._seen.get(consumer)
        if seen is None:
            seen = self._seen[consumer] = set()
        key = meta.id.bytes
        if key in seen:
            return False
        seen.add(key)
        return True

    def add(self, event: Event, meta: EventMeta) -> None:
        """Folds one event, in stream order (call `first_time` first)."""
        self.events += 1
        self.finer.add(event, meta)
        cls = type(event)
        shape = _SHAPES.get(cls) or _shape(cls)
        if isinstance(event, SiteUpdated):
            self._place(event.site_id, event.quarter_id)
        value = hundredths(getattr(event, shape.measure)) if shape.measure else 0
        month = self._month(meta.time)
        topics = topics_of(event) if shape.topics else _NO_TOPICS
        site_id = getattr(event, "site_id") if shape.site else None  # noqa: B009 -- Event declares neither
        own = getattr(event, "quarter_id") if shape.quarter else None  # noqa: B009
        if not site_id or own:
            _count(self._groups, (cls, month, own or NO_QUARTER, topics), value)
            return
        quarter = self.sites.get(site_id)
        if quarter:
            _count(self._groups, (cls, month, quarter, topics), value)
            return
        self.sites[site_id] = None
        _count(self._held.setdefault(site_id, {}), (cls, month, topics), value)

    def _month(self, moment: datetime) -> str:
        """`domain.month_of`, remembered per hour of the clock: Berlin's months begin on a full
        UTC hour, so moments in one hour of a whole-hour offset share their month."""
        offset = moment.utcoffset()
        if offset is None or offset.seconds % 3600 or offset.microseconds:
            return month_of(moment)
        key = (moment.year, moment.month, moment.day, moment.hour, offset)
        month = self._months.get(key)
        if month is None:
            month = self._months[key] = month_of(moment)
        return month

    def _place(self, site_id: str, quarter_id: str) -> None:
        """The site's quarter from now on; what its events added so far moves to that quarter."""
        self.sites[site_id] = quarter_id
        for (cls, month, topics), (n, value) in self._held.pop(site_id, {}).items():
            key = (cls, month, quarter_id, topics)
            slot = self._groups.get(key)
            if slot is None:
                self._groups[key] = [n, value]
            else:
                slot[0] += n
                slot[1] += value

    def processed_ids(self) -> Iterator[tuple[str, list[bytes]]]:
        """(consumer, the 16-byte ids of the events it folded, sorted)."""
        for consumer, seen in self._seen.items():
            yield consumer, sorted(seen)

    @property
    def processed_count(self) -> int:
        return sum(len(seen) for seen in self._seen.values())

    def cells(self) -> Cells:
        """The cells the folded events add up to -- what `domain.tally` gives each event, summed.
        Cells that add up to nothing are left out (the live tables may hold them with 0; the
        figures skip them either way)."""
        out = Cells()
        for (cls, month, quarter, topics), (n, value) in self._groups.items():
            _spread(out, cls, month, quarter, topics, n, value)
        for site_id, held in self._held.items():
            for (cls, month, topics), (n, value) in held.items():
                _spread(out, cls, month, NO_QUARTER, topics, n, value)
                metric = metric_of(cls.spec)
                measure = MEASURES.get(cls)
                for topic in topics:
                    _add(out.unplaced, (site_id, "count", Cell(metric, month, NO_QUARTER, topic)), n)
                    if measure is not None:
                        _add(out.unplaced, (site_id, "sum", Cell(measure.metric, month, NO_QUARTER, topic)), value)
        out.counts = {cell: n for cell, n in out.counts.items() if n}
        out.sums = {cell: n for cell, n in out.sums.items() if n}
        return out


def _spread(
    out: Cells, cls: type[Event], month: str, quarter: str, topics: tuple[str, ...], n: int, value: int
) -> None:
    """Mirrors `domain.tally`: one count cell per topic, and one sum cell per topic for a measure."""
    metric = metric_of(cls.spec)
    measure = MEASURES.get(cls)
    for topic in topics:
        _add(out.counts, Cell(metric, month, quarter, topic), n)
        if measure is not None:
            _add(out.sums, Cell(measure.metric, month, quarter, topic), value)


def _add(target: dict, key: object, n: int) -> None:  # type: ignore[type-arg]
    target[key] = target.get(key, 0) + n


def _count(groups: dict[K, list[int]], key: K, value: int) -> None:
    """One more event in the group `key`, adding `value` to its sum."""
    slot = groups.get(key)
    if slot is None:
        groups[key] = [1, value]
    else:
        slot[0] += 1
        slot[1] += value
