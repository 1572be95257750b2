"""The cells of one table family and what an outsider knows about how they add up.

A family is every table the office serves for one metric and one period: each dimension has a
total code and, for additive dimensions, a tree of parent codes whose value is the sum of their
children's (a Quartal is the sum of its months, a district of its quarters). Topics are not
additive -- a concern may carry several topics -- so an outsider knows only that each topic is at
most the all-topics cell and that the topics together are at least it. A dimension may hold both
kinds under one total: the concerns' third dimension splits all concerns into channels (they add
up) and covers them with topics (they do not), so that both views are cut from one cube."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

Key = tuple[str, ...]
"""One code per dimension, in the cube's dimension order: ("2026-03", "ziebigk", "alter")."""


@dataclass(frozen=True)
class Dimension:
    """`children` maps each parent code to the codes it is made of; leaves have no entry.
    The root is `total`. With `additive=False` the children only bound the parent (see above).
    `covers` are further codes below a parent that only bound it, beside additive children."""

    name: str
    total: str
    children: Mapping[str, tuple[str, ...]]
    additive: bool = True
    covers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """Every code, the total first, then depth first."""
        seen: list[str] = []

        def walk(code: str) -> None:
            seen.append(code)
            for child in (*self.children.get(code, ()), *self.covers.get(code, ())):
                walk(child)

        walk(self.total)
        return tuple(seen)

    @staticmethod
    def flat(name: str, total: str, leaves: Sequence[str], *, additive: bool = True) -> Dimension:
        """A total over leaves; with no leaves, the total alone (and no relation at all)."""
        return Dimension(name, total, {total: tuple(leaves)} if leaves else {}, additive)


@dataclass(frozen=True)
class Relation:
    """`sum(members) == parent` when `exact`; for a non-additive dimension the two bounds
    `member <= parent` (each) and `sum(members) >= parent`."""

    parent: Key
    members: tuple[Key, ...]
    exact: bool


@dataclass(frozen=True)
class Cube:
    dimensions: tuple[Dimension, ...]
    values: Mapping[Key, int] = field(default_factory=dict)
    """Sparse: a key not present is 0."""

    def value(self, key: Key) -> int:
        return self.values.get(key, 0)

    def cells(self) -> Iterator[Key]:
        return itertools.product(*(d.codes for d in self.dimensions))

    def relations(self) -> Iterator[Relation]:
        for index, dimension in enumerate(self.dimensions):
            others = [d.codes for i, d in enumerate(self.dimensions) if i != index]
            trees = [(dimension.children, dimension.additive), (dimension.covers, False)]
            for tree, exact in trees:
                for parent, children in tree.items():
                    for rest in itertools.product(*others):
                        yield Relation(
                            _with(rest, index, parent),
                            tuple(_with(rest, index, child) for child in children),
                            exact,
                        )


class Relations:
    """The cube's relations listed once, and for each cell the relations it is part of: the
    search and the audits look a cell's relations up instead of walking the cube again."""

    def __init__(self, cube: Cube) -> None:
        relations = list(cube.relations())
        self.cells: list[tuple[Key, ...]] = [(r.parent, *r.members) for r in relations]
        """Each relation's parent first, then its members."""
        self.exact = [r.exact for r in relations]
        self.of: dict[Key, list[int]] = defaultdict(list)
        for index, cells in enumerate(self.cells):
            for cell in cells:
                self.of[cell].append(index)
        # a name for each relation that does not depend on the order the cube lists codes in
        self.order: list[tuple[Key, ...]] = [tuple(sorted(cells)) for cells in self.cells]


def _with(rest: tuple[str, ...], index: int, code: str) -> Key:
    return (*rest[:index], code, *rest[index:])
