"""The period a report covers -- a Quartal (`2026-Q3`) or a year (`2026`) -- and the one before it,
which its trends compare against. Plain data, no framework."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..tables.domain import TimeLevel

PATTERN = r"^20\d\d(-Q[1-4])?$"


class PeriodError(ValueError):
    """The period is not one reporting reports on."""


@dataclass(frozen=True)
class Period:
    year: int
    quartal: int | None = None
    """1-4, or None for the whole year."""

    @classmethod
    def parse(cls, text: str) -> Period:
        if not re.fullmatch(PATTERN, text):
            raise PeriodError(text)
        year = int(text[:4])
        return cls(year, int(text[-1]) if "-Q" in text else None)

    @property
    def code(self) -> str:
        """As the published tables name it: `2026-Q3` or `2026`."""
        return f"{self.year}-Q{self.quartal}" if self.quartal else str(self.year)

    @property
    def level(self) -> TimeLevel:
        return TimeLevel.QUARTAL if self.quartal else TimeLevel.YEAR

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.quartal or 1) - 2, 1)

    @property
    def end(self) -> date:
        if not self.quartal or self.quartal == 4:
            return date(self.year, 12, 31)
        return date.fromordinal(date(self.year, 3 * self.quartal + 1, 1).toordinal() - 1)

    def previous(self) -> Period:
        """The period the trends compare against: the Quartal before (Q1 -> last year's Q4), or
        the year before."""
        if self.quartal is None:
            return Period(self.year - 1)
        return Period(self.year, self.quartal - 1) if self.quartal > 1 else Period(self.year - 1, 4)

    def has_begun(self, today: date) -> bool:
        return self.start <= today


def change_percent(previous: int | None, current: int | None, minimum: int) -> int | None:
    """The change against the previous period in whole percent, or None where it says nothing: a
    value hidden in either period, or a base below the minimum (no rate on a small base)."""
    if previous is None or current is None or previous < minimum:
        return None
    return round((current - previous) * 100 / previous)
