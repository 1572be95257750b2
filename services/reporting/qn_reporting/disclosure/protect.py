"""Primary and secondary suppression, the way German official statistics publish tables.

Primary: a count of 1 up to `minimum - 1` is not shown ("." in the tables). Secondary: further
cells are hidden until the interval attack (`audit.intervals`) leaves every small cell protected
(`protected_enough`) -- across every relation of the cube at once, so that no combination of the
family's tables (a month next to its Quartal, a quarter next to its district) gives one away.

The promise, in the statistical offices' terms an upper protection level of `minimum - value`
and a lower one of 1: for a hidden small count, what an intruder can work out always reaches up
to the minimum (they cannot tell it is a small count at all) and down to one less than the count
(for a 1: they cannot tell anyone is behind it).

Hiding a cell only ever widens the others' intervals, so a cell that passed the audit stays
protected while complements are added for the rest; only the failing cells are audited again.

What makes it scale to a city of hundreds of areas (a year of Berlin's 542 planning areas is
140,000 cells, 38,000 of them small):
- sums with a single hidden cell are closed first, without any linear program (`_close_lines`);
- a large cube is audited region by region (`regions`: a district with everything above it),
  each small cell in its own district's region -- a smaller program than the whole, and a
  stricter one, so passing it is passing the whole attack;
- the audit proves many cells with one program (`certify`) and asks one per cell only of those
  no common table reaches -- which then decide exactly;
- for a cell still pinned, the program's binding sums name the published cells that pin it,
  and the cheapest of those is hidden (`_complement`): it frees the cell in a round or two
  where a blind search took dozens.
The complements are chosen by a greedy rule, not an optimal one: the audit, not the rule, is
what guarantees the protection."""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from qn_infra.logs import get_logger

from .audit import Interval
from .certify import pinned
from .cube import Cube, Key, Relations
from .regions import SPLIT_FROM, TOP, Regions

log = get_logger(__name__)

DEFAULT_MINIMUM = 3


@dataclass(frozen=True)
class Protected:
    cube: Cube
    minimum: int
    primary: frozenset[Key]
    secondary: frozenset[Key]
    withheld: bool = False
    """True when no pattern of hidden cells was found in time and every non-zero cell is hidden
    (see `protect`): the table then says nothing but where nothing happened."""

    @property
    def hidden(self) -> frozenset[Key]:
        return self.primary | self.secondary

    def shown(self, key: Key) -> int | None:
        """The published value, or None for a hidden cell (shown as ".")."""
        return None if key in self.primary or key in self.secondary else self.cube.value(key)


def protected_enough(found: Interval, value: int, minimum: int) -> bool:
    """Whether an intruder's interval for a small count keeps the promise above."""
    return found.high >= minimum - 1e-6 and found.low <= value - 1 + 1e-6


class CannotProtect(ArithmeticError):
    """No cell is left to hide next to a small one (a cube of nothing but small cells)."""


def protect(
    cube: Cube,
    *,
    minimum: int = DEFAULT_MINIMUM,
    max_rounds: int | None = None,
    split_from: int = SPLIT_FROM,
    keep: frozenset[Key] = frozenset(),
) -> Protected:
    """The cells to hide. Never fails open: when the greedy search finds no pattern within
    `max_rounds` (default: one round per cell of the cube, since each round hides at least one
    more), every non-zero cell is hidden (`withheld`) -- an intruder then learns only which cells
    are empty, which the zeros shown tell anyway -- and a warning is logged. A table is never
    served unprotected, and never answered with an error the reader cannot act on.

    A cube of `split_from` cells or more is audited region by region (`regions`). `keep` are
    cells another figure publishes (a shared total): they are never chosen to hide."""
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    rounds = max_rounds if max_rounds is not None else max(200, sum(1 for _ in cube.cells()))
    try:
        return _search(cube, minimum, rounds, Regions.of(cube, split_from=split_from), keep)
    except CannotProtect as reason:
        log.warning("disclosure_withheld_every_cell", reason=str(reason), cells=len(cube.values))
        return withhold(cube, minimum)


def withhold(cube: Cube, minimum: int) -> Protected:
    """Every non-zero cell hidden: the cube then says nothing but where nothing happened."""
    nonzero = frozenset(key for key, value in cube.values.items() if value)
    primary = frozenset(key for key in nonzero if cube.value(key) < minimum)
    return Protected(cube, minimum, primary, nonzero - primary, withheld=True)


def _search(cube: Cube, minimum: int, max_rounds: int, regions: Regions, keep: frozenset[Key]) -> Protected:
    primary = frozenset(key for key in cube.cells() if 0 < cube.value(key) < minimum)
    hidden = set(primary)
    relations = Relations(cube)
    _close_lines(cube, hidden, relations, minimum, keep)
    failing = sorted(primary)
    for _ in range(max_rounds):
        if not failing:
            return Protected(cube, minimum, primary, frozenset(hidden - primary))
        pins = _audit(cube, relations, regions, hidden, failing, minimum)
        failing = sorted(pins)
        # one complement per failing cell and round, unless a complement of this round already
        # shares a sum with it: a complement often frees several small cells at once, and the
        # next audit tells which still need one
        added: set[Key] = set()
        for key in failing:
            if any(cell in added for i in relations.of.get(key, ()) for cell in relations.cells[i]):
                continue
            complement = _complement(key, cube, hidden, relations, minimum - cube.value(key), pins[key], keep)
            if complement is None:
                raise CannotProtect(f"no cell left to hide beside {key}")
            hidden.add(complement)
            added.add(complement)
    raise CannotProtect(f"still {len(failing)} cells unprotected after {max_rounds} rounds")


def _audit(
    cube: Cube, relations: Relations, regions: Regions, hidden: set[Key], asked: list[Key], minimum: int
) -> dict[Key, set[Key]]:
    """The cells of `asked` the attack still pins, with the cells of the sums that pin them:
    each first in its region (`regions`), then those a region cannot judge against the whole
    cube. Only the small cells that failed the last audit are asked again: hiding more only
    ever widens the attack's intervals."""
    by_home: dict[int, list[Key]] = defaultdict(list)
    for key in asked:
        by_home[regions.home(key)].append(key)
    whole = by_home.pop(TOP, [])
    failing: dict[Key, set[Key]] = {}
    if by_home:
        parts = regions.split(hidden)
        for home in sorted(by_home):
            for key, pins in pinned(cube, relations, parts[home], by_home[home], minimum).items():
                if regions.needs_all(key):
                    whole.append(key)
                else:
                    failing[key] = pins
    failing |= pinned(cube, relations, hidden, sorted(whole), minimum)
    return failing


def _close_lines(
    cube: Cube, hidden: set[Key], relations: Relations, minimum: int, keep: frozenset[Key] = frozenset()
) -> None:
    """Hides cells until no sum (an exact relation) holds exactly one hidden cell -- such a sum
    gives that cell away at once -- nor hidden cells too small for one of its small cells to
    reach the minimum (a published Quartal of 5 over a published 3 and two hidden 1s: neither 1
    can be 3). This is what most of the protection takes, and needs no linear program; the
    audit afterwards catches what only several sums together reveal.

    A partner is chosen the way `_complement` ranks cells, preferring one that closes other
    open sums too (a cell in two such sums fixes both).

    The open sums are closed in a fixed order (by their cells), never in the order of a set or of
    the cube's codes: the same figures must always get the same cells hidden, or two requests
    served by two processes would together show what each hides."""
    roots = {d.total for d in cube.dimensions}

    def single(index: int) -> bool:
        """Whether the sum still gives a hidden cell away (or pins a small one below the minimum)."""
        if not relations.exact[index]:
            return False
        parent, *members = relations.cells[index]
        held = [m for m in members if m in hidden]
        if parent in hidden:
            return not held  # a hidden parent can grow with any hidden member
        if len(held) != 1 and held:
            # a small member rises only as far as the others can fall
            room = sum(cube.value(m) for m in held)
            return any(0 < cube.value(m) < minimum and room - cube.value(m) < minimum - cube.value(m) for m in held)
        return len(held) == 1

    queue: list[tuple[tuple[Key, ...], int]] = []

    def push(cell: Key) -> None:
        for i in relations.of.get(cell, ()):
            if single(i):
                heapq.heappush(queue, (relations.order[i], i))

    for cell in sorted(hidden):
        push(cell)
    while queue:
        _, index = heapq.heappop(queue)
        if not single(index):
            continue

        def cost(cell: Key, index: int = index) -> tuple[bool, int, bool, int, int, Key]:
            value = cube.value(cell)
            closes = sum(1 for i in relations.of.get(cell, ()) if i != index and single(i))
            totals = sum(1 for code in cell if code in roots)
            return (value == 0, totals, value < minimum, -closes, value, cell)

        open_cells = [c for c in relations.cells[index] if c not in hidden and c not in keep]
        if not open_cells:
            continue
        chosen = min(open_cells, key=cost)
        hidden.add(chosen)
        push(chosen)


def _complement(
    key: Key,
    cube: Cube,
    hidden: set[Key],
    relations: Relations,
    need: int,
    pins: set[Key],
    keep: frozenset[Key] = frozenset(),
) -> Key | None:
    """The next cell to hide for a small cell the attack still pins.

    First choice: a published cell of a sum that binds the attack's optimum for this cell
    (`pins`, from the program's duals) -- hiding it lets that sum give. Otherwise the cells
    pinning it are searched for: the hidden cells linked to `key` are followed, and the cheapest
    open cell of a relation with a single hidden cell among them is hidden. Cheapest: a detail
    cell before a total (totals are what committees read), one that alone gives the small cell
    room (value >= `need`) before one that does not, then the smallest value (least information
    lost); zeros last, since a hidden zero can only grow."""
    roots = {d.total for d in cube.dimensions}

    def cost(cell: Key) -> tuple[bool, int, bool, int, Key]:
        value = cube.value(cell)
        return (value == 0, sum(1 for code in cell if code in roots), value < need, value, cell)

    # the attack's own answer first: a published cell of a sum that bounds this one
    shown = [cell for cell in pins if cell not in hidden and cell not in keep]
    if shown:
        return min(shown, key=cost)
    # breadth first, and no further than the nearest relation that gives a linked cell away: in
    # a city of hundreds of areas the hidden cells linked to one are tens of thousands, and a
    # far one's relation seldom frees this cell
    linked, level, closing, touching = {key}, [key], set(), set()
    while level and not closing:
        below: list[Key] = []
        for cell in level:
            for index in relations.of.get(cell, ()):
                members = relations.cells[index]
                hidden_here = [m for m in members if m in hidden]
                open_here = [m for m in members if m not in hidden and m not in keep]
                touching.update(open_here)
                if len(hidden_here) == 1:
                    closing.update(open_here)
                for other in hidden_here:
                    if other not in linked:
                        linked.add(other)
                        below.append(other)
        level = below
    candidates = closing or touching
    return min(candidates, key=cost) if candidates else None


def safe_share(part: int | None, base: int | None, *, minimum: int = DEFAULT_MINIMUM) -> float | None:
    """A share (or rate, or mean) only on a published base of at least `minimum`; else None."""
    if part is None or base is None or base < minimum:
        return None
    return part / base
