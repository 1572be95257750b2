"""The interval attack: what an outsider can work out about hidden cells from the published ones.

Every relation of the cube (`cube.Relation`) becomes a linear constraint over the hidden cells,
with the published cells as constants; a hidden count is at least 0. For each cell asked about,
two linear programs give the smallest and largest value consistent with all of it. That is the
attack an intruder with a spreadsheet solver can run, and the check the office runs before it
publishes (the statistical offices' "audit" of a suppression pattern).

`Attack` may also be built over only some of the hidden cells, the others held at their true
values: that adds constraints to the intruder's program, so whatever the smaller program still
allows, the full one allows too (see `certify`). One HiGHS model per attack: between questions
only the objective and bounds change, and HiGHS starts each solve from the last basis."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from .cube import Cube, Key, Relations

INFINITY = highspy.kHighsInf
MAXIMIZE = highspy.ObjSense.kMaximize
MINIMIZE = highspy.ObjSense.kMinimize


@dataclass(frozen=True)
class Interval:
    low: float
    high: float  # float("inf") when nothing bounds the cell from above

    @property
    def width(self) -> float:
        return self.high - self.low


def intervals(
    cube: Cube, hidden: Collection[Key], asked: Iterable[Key], relations: Relations | None = None
) -> dict[Key, Interval]:
    """For each key in `asked` (all hidden), the interval an outsider can narrow it to."""
    attack = Attack(cube, relations or Relations(cube), hidden)
    found = {}
    for key in asked:
        low = attack.optimum(key, MINIMIZE)
        high = attack.optimum(key, MAXIMIZE)
        found[key] = Interval(0.0 if low is None else low, float("inf") if high is None else high)
    return found


class Attack:
    """The intruder's linear program over `variables` (hidden cells); every other cell is held
    at its value: a published one because it is published, a hidden one to keep the program small."""

    def __init__(self, cube: Cube, relations: Relations, variables: Collection[Key]) -> None:
        self.keys = sorted(variables)
        self.index = {key: i for i, key in enumerate(self.keys)}
        rows: list[dict[int, float]] = []
        self.held: list[tuple[Key, ...]] = []
        """Each row's cells that are not variables (published, or held at their value)."""
        lower: list[float] = []
        upper: list[float] = []
        touched = {r for key in self.keys for r in relations.of.get(key, ())}
        # rows in an order of their own (not the cube's listing of codes): the same figures give
        # the same program, and so the same answers, in every process
        for r in sorted(touched, key=relations.order.__getitem__):
            parent, *listed = relations.cells[r]
            members = sorted(listed)
            if relations.exact[r]:  # sum(members) - parent == 0
                self._row([(m, 1.0) for m in members] + [(parent, -1.0)], cube, 0.0, 0.0, rows, lower, upper)
                continue
            for member in members:  # member - parent <= 0
                self._row([(member, 1.0), (parent, -1.0)], cube, -INFINITY, 0.0, rows, lower, upper)
            # parent - sum(members) <= 0
            self._row([(parent, 1.0)] + [(m, -1.0) for m in members], cube, -INFINITY, 0.0, rows, lower, upper)
        self.model = _model(len(self.keys), rows, lower, upper)

    def _row(
        self,
        terms: Sequence[tuple[Key, float]],
        cube: Cube,
        low: float,
        high: float,
        rows: list[dict[int, float]],
        lower: list[float],
        upper: list[float],
    ) -> None:
        row: dict[int, float] = {}
        constant = 0.0
        held = []
        for key, sign in terms:
            column = self.index.get(key)
            if column is None:
                constant += sign * cube.value(key)
                held.append(key)
            else:
                row[column] = row.get(column, 0.0) + sign
        if row:
            rows.append(row)
            self.held.append(tuple(held))
            lower.append(low - constant)
            upper.append(high - constant)

    def optimum(self, key: Key, sense: highspy.ObjSense) -> float | None:
        """The smallest or largest value of one cell, or None when it is unbounded that way."""
        column = self.index[key]
        self.model.changeColCost(column, 1.0)
        found = self._solve(sense)
        self.model.changeColCost(column, 0.0)
        return None if found is None else found[column]

    def binding(self) -> set[Key]:
        """The cells held fixed in the rows that bind the last optimum (a non-zero dual): hiding
        one of them is what can widen that optimum."""
        duals = self.model.getSolution().row_dual
        return {key for row, dual in enumerate(duals) if abs(dual) > 1e-9 for key in self.held[row]}

    def reach(self, keys: Sequence[Key], sense: highspy.ObjSense, bounds: Sequence[float]) -> list[float]:
        """One table consistent with everything published that pushes all `keys` at once
        towards `bounds` (each key's column is held within its bound, and their sum is
        maximised or minimised): the values it gives them."""
        columns = np.array([self.index[key] for key in keys], dtype=np.int32)
        size = len(columns)
        if sense == MAXIMIZE:
            self.model.changeColsBounds(size, columns, np.zeros(size), np.array(bounds, dtype=float))
        else:
            self.model.changeColsBounds(size, columns, np.array(bounds, dtype=float), np.full(size, INFINITY))
        self.model.changeColsCost(size, columns, np.ones(size))
        found = self._solve(sense)
        self.model.changeColsCost(size, columns, np.zeros(size))
        self.model.changeColsBounds(size, columns, np.zeros(size), np.full(size, INFINITY))
        if found is None:  # cannot happen with every pushed column bounded; ask one by one then
            return [float("nan")] * size
        return [found[c] for c in columns]

    def _solve(self, sense: highspy.ObjSense) -> list[float] | None:
        """The columns' values at the optimum, or None when the objective is unbounded."""
        self.model.changeObjectiveSense(sense)
        self.model.run()
        status = self.model.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return list(self.model.getSolution().col_value)
        if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        raise ArithmeticError(f"the interval attack could not be solved: {self.model.modelStatusToString(status)}")


def _model(size: int, rows: list[dict[int, float]], lower: list[float], upper: list[float]) -> highspy.Highs:
    model = highspy.Highs()
    model.setOptionValue("output_flag", False)
    # between two questions only the objective changes, so the last optimum is still a feasible
    # basis: the primal simplex goes on from it (six times faster here than HiGHS's default,
    # which starts the dual simplex over)
    model.setOptionValue("simplex_strategy", 4)
    model.addCols(size, np.zeros(size), np.zeros(size), np.full(size, INFINITY), 0, [], [], [])
    if rows:
        starts, columns, values = [], [], []
        for row in rows:
            starts.append(len(columns))
            for column in sorted(row):
                columns.append(column)
                values.append(row[column])
        model.addRows(
            len(rows),
            np.array(lower, dtype=float),
            np.array(upper, dtype=float),
            len(columns),
            np.array(starts, dtype=np.int32),
            np.array(columns, dtype=np.int32),
            np.array(values, dtype=float),
        )
    return model
