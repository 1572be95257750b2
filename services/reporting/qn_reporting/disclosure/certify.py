"""Which small cells the interval attack still pins, with as few linear programs as it takes.

The promise (`protect`) is one-sided on each end: a hidden small count must be able to reach
the minimum, and one less than itself. Any table consistent with everything published proves
that end for every cell it reaches -- so instead of two programs per cell (the exact interval),
one program pushes all asked cells up at once (each held at the minimum, their sum maximised),
the next all down; the cells one table does not reach are pushed again, and only the few no
common table reaches get programs of their own, which then decide exactly. A cell passes here
exactly when its exact interval keeps the promise: the shortcut changes the cost, never the
answer.

The attack may be run over a part of the hidden cells only (`variables`), the rest held at
their true values: a table consistent with that is consistent with everything published, so a
cell that passes such a smaller attack passes the full one too (see `regions`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from .audit import MAXIMIZE, MINIMIZE, Attack
from .cube import Cube, Key, Relations

TOLERANCE = 1e-6
"""HiGHS's solutions are exact to about 1e-7; counts are whole numbers."""


def pinned(
    cube: Cube, relations: Relations, variables: Collection[Key], asked: Sequence[Key], minimum: int
) -> dict[Key, set[Key]]:
    """The cells of `asked` (hidden small counts, all in `variables`) whose interval under the
    attack over `variables` does not reach up to `minimum` or down to one less than the count,
    each with the held cells of the sums that pin it (`Attack.binding`)."""
    if not asked:
        return {}
    attack = Attack(cube, relations, variables)
    found = _unreached(attack, asked, up=True, target={key: float(minimum) for key in asked})
    low = _unreached(attack, asked, up=False, target={key: float(cube.value(key) - 1) for key in asked})
    for key, binding in low.items():
        found.setdefault(key, set()).update(binding)
    return found


def _unreached(attack: Attack, asked: Sequence[Key], *, up: bool, target: dict[Key, float]) -> dict[Key, set[Key]]:
    sense = MAXIMIZE if up else MINIMIZE

    def reached(key: Key, value: float) -> bool:
        return value >= target[key] - TOLERANCE if up else value <= target[key] + TOLERANCE

    left = sorted(asked)
    while left:
        values = attack.reach(left, sense, [target[key] for key in left])
        rest = [key for key, value in zip(left, values, strict=True) if not reached(key, value)]
        if len(rest) == len(left):
            break  # no common table reaches any more of them
        left = rest
    unreached = {}
    for key in left:
        value = attack.optimum(key, sense)
        if value is not None and not reached(key, value):
            unreached[key] = attack.binding()
    return unreached
