"""What a published value looks like after suppression, under the two optional methods of official
statistics on top of it: rounding to 5 (Destatis) and the cell-key method (Zensus 2022).

Both act only on cells suppression left visible; hidden cells stay ".", zeros stay 0 (an empty
cell is no secret, and a zero that became a 1 would invent a person).

- Rounding: each shown value to the nearest multiple of `base` (half up), never below `base`:
  a shown value is at least the minimum, and a 0 there would read as "nobody".
- Cell key: each shown value plus a small noise drawn from a fixed distribution by a keyed hash
  (HMAC-SHA256 with the office's secret) of the cell's coordinates -- metric, period, place,
  topic and detail. The same cell gets the same noise in every table, the dashboard, the CSV and
  any later request, so that asking again or comparing two views averages nothing away; without
  the secret nobody can work the noise out. Totals get their own noise, so rows no longer add up
  exactly -- that is the point, and the tables say so."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Method(StrEnum):
    SUPPRESSION = "suppression"
    ROUNDING = "rounding"
    CELL_KEY = "cell_key"


ROUNDING_BASE = 5
NOISE: tuple[tuple[int, float], ...] = ((-2, 0.05), (-1, 0.2), (0, 0.5), (1, 0.2), (2, 0.05))
"""The cell-key noise and its probabilities: symmetric, so that sums stay unbiased; at most 2."""


def rounded(value: int, base: int = ROUNDING_BASE) -> int:
    """`value` to the nearest multiple of `base`, half up; a positive value to at least `base`."""
    if value <= 0:
        return 0
    return max(base, (value + base // 2) // base * base)


def cell_key(secret: bytes, coordinates: Sequence[str]) -> float:
    """A number in [0, 1) that only the cell's coordinates and the secret decide."""
    message = "\x1f".join(coordinates).encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def noise_for(key: float) -> int:
    """The noise the cell key draws from `NOISE` (inverse of its cumulative distribution)."""
    cumulative = 0.0
    for noise, probability in NOISE:
        cumulative += probability
        if key < cumulative:
            return noise
    return NOISE[-1][0]


@dataclass(frozen=True)
class Publication:
    """How shown values are published: the method, the minimum, and the secret for cell keys."""

    method: Method = Method.SUPPRESSION
    minimum: int = 3
    secret: bytes = b""

    def value(self, shown: int | None, coordinates: Sequence[str]) -> int | None:
        """The published value of a cell suppression showed (`shown`), or None for a hidden one."""
        if shown is None or shown == 0 or self.method is Method.SUPPRESSION:
            return shown
        if self.method is Method.ROUNDING:
            return rounded(shown)
        # never pushed below the minimum: a published 1 or 2 would look like a small count
        return max(self.minimum, shown + noise_for(cell_key(self.secret, coordinates)))

    @property
    def code(self) -> str:
        """The method as the tables name it."""
        extra = {Method.ROUNDING: "+rounding_5", Method.CELL_KEY: "+cell_key"}.get(self.method, "")
        return "primary_and_secondary_suppression" + extra
