"""The street directory in memory: (street, postcode, house number) -> quarter.

Built from the rows intake imported (see importer.py); answers in microseconds. When a street is
unknown or an address is ambiguous it does not guess: it raises with the closest candidates."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from qn_infra.errors import Invalid

from .normalize import HouseNumber, normalize_postcode, parse_house_number, street_key

WHOLE_STREET = -1


def _code(number: HouseNumber | None) -> int:
    """A house number as one int (compact in memory): 12 -> 384, 12a -> 385; None -> whole street."""
    if number is None:
        return WHOLE_STREET
    suffix = (ord(number.suffix[0]) - 96) if number.suffix else 0
    return number.number * 32 + max(0, min(suffix, 31))


@dataclass(frozen=True)
class DirectoryRow:
    street: str
    postcode: str | None
    house_number: str | None
    quarter_id: str
    locality: str = ""


@dataclass(frozen=True)
class ResolvedAddress:
    street: str
    postcode: str | None
    house_number: str | None
    quarter_id: str


class AddressProblem(Invalid):
    """An address that cannot be resolved to exactly one quarter; `candidates` help staff choose."""

    code = "address_unresolved"

    def __init__(self, de: str, en: str, *, field: str, candidates: list[dict[str, str]]) -> None:
        super().__init__(de, en, field=field, extra={"candidates": candidates})
        self.candidates = candidates


@dataclass
class _Street:
    names: set[str] = field(default_factory=set)
    by_postcode: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))


_cached_key = lru_cache(maxsize=65536)(street_key)


class StreetDirectory:
    def __init__(self, rows: Iterable[DirectoryRow] = ()) -> None:
        self._streets: dict[str, _Street] = {}
        self._quarters: list[str] = []
        self._quarter_index: dict[str, int] = {}
        self._choices: list[str] | None = None
        self.size = 0
        for row in rows:
            self.add(row)

    def add(self, row: DirectoryRow) -> None:
        key = _cached_key(row.street)
        street = self._streets.get(key)
        if street is None:
            street = self._streets[key] = _Street()
        street.names.add(row.street)
        index = self._quarter_index.get(row.quarter_id)
        if index is None:
            index = self._quarter_index[row.quarter_id] = len(self._quarters)
            self._quarters.append(row.quarter_id)
        street.by_postcode[row.postcode or ""][_code(parse_house_number(row.house_number))] = index
        self._choices = None
        self.size += 1

    @property
    def street_count(self) -> int:
        return len(self._streets)

    def resolve(self, street: str, house_number: str | None = None, postcode: str | None = None) -> ResolvedAddress:
        """The quarter of an address; raises `AddressProblem` naming the field and candidates."""
        key = _cached_key(street)
        record = self._streets.get(key)
        if record is None:
            raise AddressProblem(
                f"Straße '{street}' ist im Straßenverzeichnis nicht bekannt.",
                f"Street '{street}' is not in the street directory.",
                field="address.street",
                candidates=self.similar_streets(street),
            )
        try:
            number = parse_house_number(house_number)
        except ValueError:
            raise AddressProblem(
                f"Hausnummer '{house_number}' ist nicht lesbar (Beispiel: 12 oder 12a).",
                f"House number '{house_number}' is unreadable (e.g. 12 or 12a).",
                field="address.house_number",
                candidates=[],
            ) from None
        try:
            plz = normalize_postcode(postcode)
        except ValueError:
            raise AddressProblem(
                f"Postleitzahl '{postcode}' muss fünf Ziffern haben.",
                f"Postcode '{postcode}' must have five digits.",
                field="address.postcode",
                candidates=[],
            ) from None
        name = min(record.names)
        postcodes = [plz] if plz and plz in record.by_postcode else list(record.by_postcode)
        if plz and plz not in record.by_postcode and "" not in record.by_postcode:
            raise AddressProblem(
                f"'{name}' gibt es nicht mit der Postleitzahl {plz}.",
                f"'{name}' does not exist with postcode {plz}.",
                field="address.postcode",
                candidates=[{"street": name, "postcode": p} for p in sorted(record.by_postcode)],
            )
        found: dict[int, str] = {}  # quarter index -> (first) postcode
        per_postcode: dict[str, set[int]] = {}
        for pc in postcodes:
            quarters = self._quarters_for(record.by_postcode[pc], number)
            per_postcode[pc] = quarters
            for quarter in quarters:
                found.setdefault(quarter, pc)
        if len(found) == 1:
            quarter, pc = next(iter(found.items()))
            return ResolvedAddress(name, pc or None, str(number) if number else None, self._quarters[quarter])
        if not found:
            raise AddressProblem(
                f"Hausnummer {number} in '{name}' ist im Straßenverzeichnis nicht bekannt.",
                f"House number {number} of '{name}' is not in the street directory.",
                field="address.house_number",
                candidates=self._numbers_near(record, postcodes, number),
            )
        # several quarters: a postcode settles it if each postcode lies in one quarter
        if plz is None and all(len(q) <= 1 for q in per_postcode.values()):
            wanted, de_word = "postcode", "Postleitzahl"
        else:
            wanted, de_word = "house_number", "Hausnummer"
        raise AddressProblem(
            f"'{name}' liegt in mehreren Quartieren; bitte {de_word} angeben.",
            f"'{name}' lies in several quarters; please give the {wanted.replace('_', ' ')}.",
            field=f"address.{wanted}",
            candidates=[
                {"street": name, "postcode": pc, "quarter_id": self._quarters[q]}
                for pc, quarters in sorted(per_postcode.items())
                for q in sorted(quarters)
            ][:10],
        )

    @staticmethod
    def _quarters_for(numbers: dict[int, int], number: HouseNumber | None) -> set[int]:
        """Quarters an address may lie in, within one postcode of a street."""
        if number is not None:
            for code in (_code(number), _code(HouseNumber(number.number)), WHOLE_STREET):
                if code in numbers:
                    return {numbers[code]}
            quarters = set(numbers.values())
            # a number missing from the directory is fine only where the whole street is one quarter
            return quarters if len(quarters) == 1 else set()
        if WHOLE_STREET in numbers:
            return {numbers[WHOLE_STREET]}
        return set(numbers.values())

    def _numbers_near(self, record: _Street, postcodes: list[str], number: HouseNumber | None) -> list[dict[str, str]]:
        if number is None:
            return []
        near: list[tuple[int, str, str]] = []
        for pc in postcodes:
            for code in record.by_postcode[pc]:
                if code >= 0:
                    n, s = divmod(code, 32)
                    near.append((abs(n - number.number), f"{n}{chr(96 + s) if s else ''}", pc))
        near.sort()
        name = min(record.names)
        return [{"street": name, "house_number": hn, "postcode": pc} for _, hn, pc in near[:5]]

    def similar_streets(self, street: str, limit: int = 5) -> list[dict[str, str]]:
        """The known streets closest to a misspelled one."""
        if self._choices is None:
            self._choices = list(self._streets)
        matches = process.extract(_cached_key(street), self._choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
        candidates = []
        for key, score, _ in matches:
            record = self._streets[key]
            for name in sorted(record.names):
                candidates.append({"street": name, "postcodes": ", ".join(sorted(p for p in record.by_postcode if p)), "score": str(round(score))})
        return candidates[:limit]
