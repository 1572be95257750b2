"""Primary and secondary suppression, the way German official statistics publish tables.

Primary: a count of 1 up to `minimum - 1` is not shown ("." in the tables). Secondary: further
cells are hidden until the interval attack (`audit.intervals`) can narrow no small cell to fewer
than `minimum` values -- across every relation of the cube at once, so that no combination of
the family's tables (a month next to its Quartal, a quarter next to its district) gives one away.

Hiding a cell only ever widens the others' intervals, so a cell that passed the audit stays
protected while complements are added for the rest; only the failing cells are audited again.
The complements are chosen by a greedy rule (`_complement`), not an optimal one: the audit, not
the rule, is what guarantees the protection."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .audit import intervals
from .cube import Cube, Key

DEFAULT_MINIMUM = 3


@dataclass(frozen=True)
class Protected:
    cube: Cube
    minimum: int
    primary: frozenset[Key]
    secondary: frozenset[Key]

    @property
    def hidden(self) -> frozenset[Key]:
        return self.primary | self.secondary

    def shown(self, key: Key) -> int | None:
        """The published value, or None for a hidden cell (shown as ".")."""
        return None if key in self.primary or key in self.secondary else self.cube.value(key)


class CannotProtect(ArithmeticError):
    """No cell is left to hide next to a small one (a cube of nothing but small cells)."""


def protect(cube: Cube, *, minimum: int = DEFAULT_MINIMUM, max_rounds: int = 200) -> Protected:
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    primary = frozenset(key for key in cube.cells() if 0 < cube.value(key) < minimum)
    hidden = set(primary)
    relations = _Relations(cube)
    failing = sorted(primary)
    for _ in range(max_rounds):
        if not failing:
            return Protected(cube, minimum, primary, frozenset(hidden - primary))
        found = intervals(cube, hidden, failing)
        failing = [key for key in failing if found[key].width < minimum - 1e-6]
        # one complement per group of linked hidden cells and round: a complement often frees
        # several small cells at once, and the next audit tells which still need one
        settled: set[Key] = set()
        for key in failing:
            if key in settled:
                continue
            complement, linked = _complement(key, cube, hidden, relations, need=minimum - cube.value(key))
            if complement is None:
                raise CannotProtect(f"no cell left to hide beside {key}")
            hidden.add(complement)
            settled |= linked
    raise CannotProtect(f"still {len(failing)} cells unprotected after {max_rounds} rounds")


class _Relations:
    """The cube's relations, and for each cell the relations it is part of."""

    def __init__(self, cube: Cube) -> None:
        self.cells: list[tuple[Key, ...]] = [(r.parent, *r.members) for r in cube.relations()]
        self.of: dict[Key, list[int]] = defaultdict(list)
        for index, cells in enumerate(self.cells):
            for cell in cells:
                self.of[cell].append(index)


def _complement(
    key: Key, cube: Cube, hidden: set[Key], relations: _Relations, need: int
) -> tuple[Key | None, set[Key]]:
    """The next cell to hide for a small cell the attack still pins.

    The attack pins it through a chain of relations that each hold one hidden cell only (such a
    relation gives that cell away); the hidden cells linked to `key` are followed, and the
    cheapest open cell of a relation with a single hidden cell among them is hidden. Cheapest: a
    detail cell before a total (totals are what committees read), one that alone gives the small
    cell room (value >= `need`) before one that does not, then the smallest value (least
    information lost); zeros last, since hiding a zero widens nothing. Returns it with the hidden
    cells linked to `key`."""
    roots = {d.total for d in cube.dimensions}

    def cost(cell: Key) -> tuple[bool, int, bool, int, Key]:
        value = cube.value(cell)
        return (value == 0, sum(1 for code in cell if code in roots), value < need, value, cell)

    linked, queue, closing, touching = {key}, [key], set(), set()
    while queue:
        cell = queue.pop()
        for index in relations.of.get(cell, ()):
            members = relations.cells[index]
            hidden_here = [m for m in members if m in hidden]
            open_here = [m for m in members if m not in hidden]
            touching.update(open_here)
            if len(hidden_here) == 1:
                closing.update(open_here)
            for other in hidden_here:
                if other not in linked:
                    linked.add(other)
                    queue.append(other)
    candidates = closing or touching
    return (min(candidates, key=cost) if candidates else None), linked


def safe_share(part: int | None, base: int | None, *, minimum: int = DEFAULT_MINIMUM) -> float | None:
    """A share (or rate, or mean) only on a published base of at least `minimum`; else None."""
    if part is None or base is None or base < minimum:
        return None
    return part / base
