"""The street directory's vocabulary: rows, segments, house-number codes, the resolved address and
the error staff see. Plain Python, no framework beyond the shared `Problem` base."""

from __future__ import annotations

from typing import Any, NamedTuple

from qn_infra.errors import Invalid

from .normalize import HouseNumber

NO_NUMBER = -1
"""The code of a row without a house number (the whole street), and of a lookup without one."""


def number_code(number: HouseNumber | None) -> int:
    """A house number as one small int: 12 -> 384, 12a -> 385; None -> NO_NUMBER."""
    if number is None:
        return NO_NUMBER
    suffix = (ord(number.suffix[0]) - 96) if number.suffix else 0
    return number.number * 32 + max(0, min(suffix, 31))


def code_text(code: int) -> str:
    number, suffix = divmod(code, 32)
    return f"{number}{chr(96 + suffix) if suffix else ''}"


class DirectoryRow(NamedTuple):
    street: str
    postcode: str | None
    house_number: str | None
    quarter_id: str
    locality: str = ""


class ResolvedAddress(NamedTuple):
    street: str
    postcode: str | None
    house_number: str | None
    quarter_id: str


class AddressProblem(Invalid):
    """An address that cannot be resolved to exactly one quarter; `candidates` help staff choose."""

    code = "address_unresolved"

    def __init__(self, de: str, en: str, *, field: str, candidates: list[dict[str, Any]]) -> None:
        super().__init__(de, en, field=field, extra={"candidates": candidates})
        self.candidates = candidates


class Segment:
    """One street name within one postcode: its house numbers and the quarter of each."""

    __slots__ = ("locality", "name", "numbers", "postcode", "postcode_or_none", "quarter")

    def __init__(self, name: str, postcode: str, locality: str) -> None:
        self.name = name
        self.postcode = postcode
        self.postcode_or_none = postcode or None
        self.locality = locality
        self.numbers: dict[int, str] = {}
        self.quarter: str | None = ""  # "" before the first row; None once numbers lie in several quarters

    def add(self, code: int, quarter: str, locality: str) -> None:
        self.numbers[code] = quarter
        if self.quarter == "":
            self.quarter = quarter
        elif self.quarter != quarter:
            self.quarter = None
        if locality and locality != self.locality and locality not in self.locality.split(" / "):
            self.locality = f"{self.locality} / {locality}" if self.locality else locality
