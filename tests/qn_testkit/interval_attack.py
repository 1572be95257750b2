"""An intruder's interval attack on published tables, written apart from reporting's own audit.

The intruder knows the published cells (a value, or None for ".") and how the tables add up:
for an additive dimension a parent is the sum of its children; for topics each topic is at most
"all topics" and the topics together at least it. Every cell is a variable -- a published one
fixed to its value, a hidden one a count >= 0 -- and two linear programs per hidden cell give the
narrowest interval it can be pinned to."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

Tree = tuple[Mapping[str, Sequence[str]], bool]


def attack(
    published: Mapping[tuple[str, ...], int | None],
    trees: Sequence[Tree | list[Tree]],
    asked: Iterable[tuple[str, ...]] | None = None,
) -> dict[tuple[str, ...], tuple[float, float]]:
    """`trees`: per dimension (parent -> children, additive?), or a list of them where one
    dimension holds both kinds (concerns split into channels and covered by topics). Returns
    (low, high) per hidden cell (or per cell of `asked`)."""
    cells = sorted(published)
    at = {cell: i for i, cell in enumerate(cells)}
    eq, ub = [], []
    flat = [(d, tree) for d, entry in enumerate(trees) for tree in (entry if isinstance(entry, list) else [entry])]
    for d, (tree, additive) in flat:
        for parent, children in tree.items():
            for cell in cells:
                if cell[d] != parent:
                    continue
                kids = [at[(*cell[:d], c, *cell[d + 1 :])] for c in children]
                row = np.zeros(len(cells))
                if additive:
                    row[kids] += 1
                    row[at[cell]] -= 1
                    eq.append(row)
                    continue
                for kid in kids:
                    bound = np.zeros(len(cells))
                    bound[kid], bound[at[cell]] = 1, -1
                    ub.append(bound)
                row[at[cell]] = 1
                row[kids] -= 1
                ub.append(row)
    bounds = [(v, v) if (v := published[c]) is not None else (0, None) for c in cells]
    options = {
        "A_eq": csr_array(np.array(eq)) if eq else None,
        "b_eq": np.zeros(len(eq)) if eq else None,
        "A_ub": csr_array(np.array(ub)) if ub else None,
        "b_ub": np.zeros(len(ub)) if ub else None,
        "bounds": bounds,
        "method": "highs",
    }
    found = {}
    for cell in cells if asked is None else sorted(asked):
        if published[cell] is not None:
            continue
        c = np.zeros(len(cells))
        c[at[cell]] = 1
        low = linprog(c, **options)
        high = linprog(-c, **options)
        assert low.status == 0, low.message
        found[cell] = (low.fun, float("inf") if high.status == 3 else -high.fun)
    return found


def every_cell(codes: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    return list(itertools.product(*codes))
