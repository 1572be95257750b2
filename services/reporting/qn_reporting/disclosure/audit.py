"""The interval attack: what an outsider can work out about hidden cells from the published ones.

Every relation of the cube (`cube.Relation`) becomes a linear constraint over the hidden cells,
with the published cells as constants; a hidden count is at least 0. For each cell asked about,
two linear programs give the smallest and largest value consistent with all of it. That is the
attack an intruder with a spreadsheet solver can run, and the check the office runs before it
publishes (the statistical offices' "audit" of a suppression pattern).

One HiGHS model per audit: between the cells asked about only the objective changes, and HiGHS
starts each solve from the last basis."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import highspy
import numpy as np

from .cube import Cube, Key, Relation


@dataclass(frozen=True)
class Interval:
    low: float
    high: float  # float("inf") when nothing bounds the cell from above

    @property
    def width(self) -> float:
        return self.high - self.low


def intervals(cube: Cube, hidden: Collection[Key], asked: Iterable[Key]) -> dict[Key, Interval]:
    """For each key in `asked` (all hidden), the interval an outsider can narrow it to."""
    hidden_set = set(hidden)
    index = {key: i for i, key in enumerate(sorted(hidden_set))}
    eq_rows: list[dict[int, float]] = []
    eq_rhs: list[float] = []
    ub_rows: list[dict[int, float]] = []
    ub_rhs: list[float] = []
    for relation in cube.relations():
        if relation.parent not in hidden_set and not any(m in hidden_set for m in relation.members):
            continue
        _constrain(relation, cube, index, eq_rows, eq_rhs, ub_rows, ub_rhs)
    model = _model(len(index), eq_rows, eq_rhs, ub_rows, ub_rhs)
    found = {}
    for key in asked:
        column = index[key]
        model.changeColCost(column, 1.0)
        low = _optimum(model, highspy.ObjSense.kMinimize)
        high = _optimum(model, highspy.ObjSense.kMaximize)
        model.changeColCost(column, 0.0)
        found[key] = Interval(0.0 if low is None else low, float("inf") if high is None else high)
    return found


def _constrain(
    relation: Relation,
    cube: Cube,
    index: dict[Key, int],
    eq_rows: list[dict[int, float]],
    eq_rhs: list[float],
    ub_rows: list[dict[int, float]],
    ub_rhs: list[float],
) -> None:
    def term(key: Key, sign: float, row: dict[int, float]) -> float:
        """Adds a hidden cell to the row; returns a published cell's contribution to the constant."""
        if key in index:
            row[index[key]] = row.get(index[key], 0.0) + sign
            return 0.0
        return sign * cube.value(key)

    if relation.exact:  # sum(members) - parent == 0
        row: dict[int, float] = {}
        constant = sum(term(m, 1.0, row) for m in relation.members) + term(relation.parent, -1.0, row)
        if row:
            eq_rows.append(row)
            eq_rhs.append(-constant)
        return
    for member in relation.members:  # member - parent <= 0
        row = {}
        constant = term(member, 1.0, row) + term(relation.parent, -1.0, row)
        if row:
            ub_rows.append(row)
            ub_rhs.append(-constant)
    row = {}  # parent - sum(members) <= 0
    constant = term(relation.parent, 1.0, row) + sum(term(m, -1.0, row) for m in relation.members)
    if row:
        ub_rows.append(row)
        ub_rhs.append(-constant)


def _model(
    size: int,
    eq_rows: list[dict[int, float]],
    eq_rhs: list[float],
    ub_rows: list[dict[int, float]],
    ub_rhs: list[float],
) -> highspy.Highs:
    model = highspy.Highs()
    model.setOptionValue("output_flag", False)
    infinity = highspy.kHighsInf
    model.addCols(size, np.zeros(size), np.zeros(size), np.full(size, infinity), 0, [], [], [])
    rows = eq_rows + ub_rows
    if rows:
        lower = np.array(eq_rhs + [-infinity] * len(ub_rows), dtype=float)
        upper = np.array(eq_rhs + ub_rhs, dtype=float)
        starts, columns, values = [], [], []
        for row in rows:
            starts.append(len(columns))
            columns.extend(row)
            values.extend(row.values())
        model.addRows(
            len(rows),
            lower,
            upper,
            len(columns),
            np.array(starts, dtype=np.int32),
            np.array(columns, dtype=np.int32),
            np.array(values, dtype=float),
        )
    return model


def _optimum(model: highspy.Highs, sense: highspy.ObjSense) -> float | None:
    """The objective's optimum, or None when it is unbounded in that direction."""
    model.changeObjectiveSense(sense)
    model.run()
    status = model.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return float(model.getInfo().objective_function_value)
    if status in (highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible):
        return None
    raise ArithmeticError(f"the interval attack could not be solved: {model.modelStatusToString(status)}")
