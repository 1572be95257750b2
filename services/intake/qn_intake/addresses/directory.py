"""The street directory in memory: (street, postcode, house number) -> quarter.

Built from the rows intake imported (see importer.py and store.py). An address typed the usual way
resolves in about a microsecond: the typed street, number and postcode are folded to keys once and
cached, and the directory is a dict of street keys holding, per (street name, postcode), a dict of
house-number codes. When a street is unknown or an address is ambiguous it does not guess: it raises
`AddressProblem` with the closest candidates (see candidates.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from . import candidates as cand
from .autocomplete import StreetNames
from .domain import (
    NO_NUMBER,
    AddressProblem,
    DirectoryRow,
    ResolvedAddress,
    Segment,
    code_text,
    number_code,
)
from .normalize import cached_street_key, normalize_postcode, parse_house_range, split_street_and_number, take_postcode

__all__ = ["NO_NUMBER", "AddressProblem", "DirectoryRow", "ResolvedAddress", "StreetDirectory"]


@lru_cache(maxsize=1 << 14)
def _typed_number(text: str) -> tuple[int, str, int]:
    """(code, canonical text, code of the range's end or NO_NUMBER); ValueError if unreadable."""
    parsed = parse_house_range(text)
    if parsed is None:
        return NO_NUMBER, "", NO_NUMBER
    first, last = parsed
    return number_code(first), str(first), number_code(last)


_typed_postcode = lru_cache(maxsize=1 << 12)(normalize_postcode)
_new = tuple.__new__


class StreetDirectory:
    def __init__(self, rows: Iterable[DirectoryRow] = (), *, quarter_names: Mapping[str, str] | None = None) -> None:
        self.streets: dict[str, list[Segment]] = {}
        self._segments: dict[tuple[str, str], Segment] = {}
        self._interned: dict[Any, Any] = {}  # one object per quarter id and number code: saves memory
        self.quarter_names: Mapping[str, str] = quarter_names or {}
        self.size = 0
        self._sorted_keys: list[str] | None = None
        self._names: StreetNames | None = None
        self.add_all(rows)

    def add_all(self, rows: Iterable[DirectoryRow]) -> None:
        """Adds rows; a house number like '12-14' registers both ends."""
        segments, interned, add_segment = self._segments, self._interned, self._new_segment
        count = 0
        for street, postcode, house_number, quarter_id, locality in rows:
            segment = segments.get((street, postcode or ""))
            if segment is None:
                segment = add_segment(street, postcode or "", locality)
            quarter = interned.setdefault(quarter_id, sys.intern(quarter_id))
            code, _, end = _typed_number(house_number) if house_number else (NO_NUMBER, "", NO_NUMBER)
            segment.add(interned.setdefault(code, code), quarter, locality)
            if end != NO_NUMBER:
                segment.add(interned.setdefault(end, end), quarter, locality)
            count += 1
        self.size += count
        self._sorted_keys = None
        self._names = None

    def _new_segment(self, name: str, postcode: str, locality: str) -> Segment:
        segment = self._segments[(name, postcode)] = Segment(name, postcode, locality)
        self.streets.setdefault(cached_street_key(name), []).append(segment)
        return segment

    @property
    def street_count(self) -> int:
        return len({s.name for s in self._segments.values()})

    @property
    def quarter_count(self) -> int:
        return sum(1 for key in self._interned if isinstance(key, str))

    def sorted_keys(self) -> list[str]:
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.streets)
        return self._sorted_keys

    def resolve(
        self,
        street: str,
        house_number: str | None = None,
        postcode: str | None = None,
        *,
        field_prefix: str = "address.",
    ) -> ResolvedAddress:
        """The quarter of an address; raises `AddressProblem` naming the field and candidates.
        The street may hold the whole line ('Franzstr. 147a, 06842') when number and postcode are empty."""
        segments = self.streets.get(cached_street_key(street))
        if segments is None:
            street, house_number, postcode, segments = self._from_line(street, house_number, postcode, field_prefix)
        try:
            code, number_text, end = _typed_number(house_number) if house_number else (NO_NUMBER, "", NO_NUMBER)
        except ValueError:
            raise cand.unreadable_number(house_number, field_prefix) from None
        try:
            plz = _typed_postcode(postcode) if postcode else None
        except ValueError:
            raise cand.unreadable_postcode(postcode, field_prefix) from None
        # the fast path: one segment (or several agreeing) holds exactly this number
        hit: Segment | None = None
        quarter = None
        if code != NO_NUMBER:
            for segment in segments:
                if plz is None or segment.postcode == plz:
                    found = segment.numbers.get(code)
                    if found is None:
                        continue
                    if hit is None:
                        hit, quarter = segment, found
                    elif found != quarter:
                        hit = None
                        break
        if hit is not None and end == NO_NUMBER:
            # tuple.__new__ skips NamedTuple's Python-level __new__: a fifth of a lookup's time
            return _new(ResolvedAddress, (hit.name, hit.postcode_or_none, number_text or None, quarter))
        return self._resolve_slowly(segments, code, end, number_text, plz, field_prefix)

    def _from_line(
        self, line: str, house_number: str | None, postcode: str | None, prefix: str
    ) -> tuple[str, str | None, str | None, list[Segment]]:
        """A street not found as typed may carry its postcode and number ('Franzstr. 147a, 06842');
        a name that ends in digits ('Platz des 9. November 1989, 10439') is tried whole first."""
        rest, line_postcode = take_postcode(line)
        segments = self.streets.get(cached_street_key(rest)) if line_postcode else None
        if segments is not None and any(s.postcode == line_postcode for s in segments):
            return rest, house_number, postcode or line_postcode, segments
        street, line_number = split_street_and_number(rest)
        segments = self.streets.get(cached_street_key(street)) if street else None
        if segments is None or (line_number is None and line_postcode is None):
            raise cand.unknown_street(self, line, prefix)
        return street, house_number or line_number, postcode or line_postcode, segments

    def _resolve_slowly(
        self, segments: list[Segment], code: int, end: int, number_text: str, plz: str | None, prefix: str
    ) -> ResolvedAddress:
        in_postcode = [s for s in segments if plz is None or s.postcode == plz]
        if not in_postcode:
            # a known street with a postcode it does not have: the postcode may be wrong, or the street
            # a namesake elsewhere -- either way a person decides
            raise cand.wrong_postcode(self, segments, code, plz, prefix)
        first = self._one_number(in_postcode, segments, code, number_text, plz, prefix)
        if end == NO_NUMBER:
            return first
        last = self._one_number(in_postcode, segments, end, code_text(end), plz, prefix)
        if last.quarter_id != first.quarter_id:
            raise cand.range_in_two_quarters(self, first, last, number_text, code_text(end), prefix)
        return first

    def _one_number(
        self,
        in_postcode: list[Segment],
        segments: list[Segment],
        code: int,
        number_text: str,
        plz: str | None,
        prefix: str,
    ) -> ResolvedAddress:
        """Evidence in order: the exact number; a row without number, which stands for the whole
        street (a city may list streets only); the same number with other suffixes; a street that lies
        wholly in one quarter. Several quarters -> ask.

        A row without number counts only where every candidate street has one: Berlin lists every
        address, and its rows without number are squares without any ('Steinplatz, 12587'), which
        must not swallow a number missing from the 'Steinplatz, 10623' that has numbers."""
        if code == NO_NUMBER:  # no number typed: enough only where the street lies in one quarter
            whole = [(s, s.quarter) for s in in_postcode if s.quarter]
            if len(whole) < len(in_postcode) or len({q for _, q in whole}) > 1:
                raise cand.needs_more(self, in_postcode, plz, prefix)
            return self._one_of(whole, number_text, plz, prefix)
        exact = [(s, q) for s in in_postcode if (q := s.numbers.get(code)) is not None]
        if exact:
            return self._one_of(exact, number_text, plz, prefix)
        whole_street = [(s, q) for s in in_postcode if (q := s.numbers.get(NO_NUMBER)) is not None]
        if whole_street and len(whole_street) == len(in_postcode):
            return self._one_of(whole_street, number_text, plz, prefix)
        if plz is not None:
            elsewhere = [(s, q) for s in segments if s.postcode != plz and (q := s.numbers.get(code)) is not None]
            if elsewhere:
                raise cand.number_in_other_postcode(self, elsewhere, number_text, plz, prefix)
        base = code - code % 32
        variants = [
            (s, c, q) for s in in_postcode for c in range(base, base + 27) if (q := s.numbers.get(c)) is not None
        ]
        if variants:
            if len({q for _, _, q in variants}) == 1:
                return self._one_of([(s, q) for s, _, q in variants], number_text, plz, prefix)
            raise cand.suffix_decides(self, variants, number_text, prefix)
        whole = [(s, s.quarter) for s in in_postcode if s.quarter]
        if whole and len(whole) == len(in_postcode) and len({q for _, q in whole}) == 1:
            return self._one_of(whole, number_text, plz, prefix)
        raise cand.unknown_number(self, in_postcode, code, number_text, prefix)

    def _one_of(
        self, found: list[tuple[Segment, str]], number_text: str, plz: str | None, prefix: str
    ) -> ResolvedAddress:
        quarters = {q for _, q in found}
        if len(quarters) > 1:
            raise cand.postcode_decides(self, found, number_text, plz, prefix)
        segment, quarter = found[0]
        postcodes = {s.postcode for s, _ in found}
        return ResolvedAddress(
            segment.name, segment.postcode_or_none if len(postcodes) == 1 else plz, number_text or None, quarter
        )

    def streets_starting(self, prefix: str, limit: int = 10) -> list[dict[str, Any]]:
        """Autocomplete: street names starting with what was typed (case and umlauts folded)."""
        if self._names is None:
            self._names = StreetNames(self)
        return self._names.starting(prefix, limit)
