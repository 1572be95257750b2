"""The parts of a cube the audit looks at one at a time: one per branch of its largest hierarchy.

A city of 542 planning areas in 12 districts is audited as 12 regions: a region is every cell
of one district's subtree (the district and its areas) together with the cells above and beside
it (the city, the other districts, places outside any district), at every time and topic. The
attack on a region treats only the region's hidden cells as unknown and holds every other
hidden cell at its true value -- more than an intruder knows, so a small cell that passes its
region's attack passes the attack on everything published (`certify`). A district's linear
programs stay the size of a district however large the city grows.

The other districts' areas are held fixed, so their district cells barely move in a region:
a small cell at the district level can look pinned there when it is not. Those (`needs_all`)
are checked against the whole cube before anything more is hidden for them; cells at the top
(the city, places outside any district) are checked against the whole cube directly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .cube import Cube, Dimension, Key

SPLIT_FROM = 20_000
"""Cells from which a cube is split: below it one attack on everything takes seconds at most
(the demo city's largest cube has 3,600 cells), and splitting would only hide more."""

TOP = -1
"""The home of a cell every region holds: it is checked against the whole cube."""


@dataclass(frozen=True)
class Regions:
    dimension: int
    """The index of the dimension the cube is split along (-1: not split, one region)."""
    branches: tuple[str, ...]
    """The codes just below that dimension's total that have codes below them, in order."""
    branch_of: dict[str, int]
    """Each code of a branch's subtree (the branch included) -> the branch's index."""

    @staticmethod
    def of(cube: Cube, *, split_from: int = SPLIT_FROM) -> Regions:
        """Splits a large cube along its largest dimension (the places) when that is additive and
        has at least two branches (codes with codes below them); a smaller cube is one region.
        Never along a short one such as time: its four Quartals hold one another too tightly
        (a Quartal's cells could only move with the year), and the regions would hide more."""
        if sum(1 for _ in cube.cells()) < split_from:
            return Regions(-1, ("",), {})
        index = max(range(len(cube.dimensions)), key=lambda i: (len(cube.dimensions[i].codes), -i))
        dimension = cube.dimensions[index]
        branches = _branches(dimension)
        if not dimension.additive or len(branches) < 2:
            return Regions(-1, ("",), {})
        branch_of = {code: b for b, branch in enumerate(branches) for code in _subtree(dimension, branch)}
        return Regions(index, branches, branch_of)

    def home(self, key: Key) -> int:
        """The region whose attack checks a small cell first, or TOP."""
        if self.dimension < 0:
            return 0
        return self.branch_of.get(key[self.dimension], TOP)

    def needs_all(self, key: Key) -> bool:
        """Whether a cell that looks pinned in its region is to be checked against the whole cube."""
        return self.dimension >= 0 and key[self.dimension] in self.branches

    def split(self, hidden: Iterable[Key]) -> dict[int, list[Key]]:
        """The hidden cells of each region (a cell above or beside the branches is in all)."""
        parts: dict[int, list[Key]] = {b: [] for b in range(len(self.branches))}
        for key in hidden:
            home = self.home(key)
            if home == TOP:
                for part in parts.values():
                    part.append(key)
            else:
                parts[home].append(key)
        return parts


def _branches(dimension: Dimension) -> tuple[str, ...]:
    return tuple(sorted(kid for kid in dimension.children.get(dimension.total, ()) if dimension.children.get(kid)))


def _subtree(dimension: Dimension, code: str) -> list[str]:
    codes = [code]
    for kid in dimension.children.get(code, ()):
        codes += _subtree(dimension, kid)
    return codes
