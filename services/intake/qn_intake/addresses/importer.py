"""Reads a street directory from CSV (plain or .gz) in the official format Berlin publishes
(`hnr, hnr_zusatz, str_name, plz, ort_name, PLR_NAME, PLR_ID`), so a city loads its own
directory the same way. Other column names can be mapped."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .domain import DirectoryRow
from .normalize import normalize_postcode, parse_house_range

BERLIN_COLUMNS = {
    "street": "str_name",
    "house_number": "hnr",
    "house_number_suffix": "hnr_zusatz",
    "postcode": "plz",
    "locality": "ort_name",
    "quarter_id": "PLR_ID",
}


REQUIRED = ("street", "quarter_id")


@lru_cache(maxsize=1 << 14)
def _readable_number(text: str) -> bool:
    try:
        parse_house_range(text)
    except ValueError:
        return False
    return len(text) <= 20


INVALID = "invalid"


@lru_cache(maxsize=1 << 12)
def _postcode(text: str) -> str | None:
    """Postcodes as five digits ('6842' from a spreadsheet becomes '06842'); INVALID otherwise."""
    try:
        return normalize_postcode(text)
    except ValueError:
        return INVALID


def _problem(row: DirectoryRow) -> str | None:
    """What is wrong with a row, if anything (the columns' sizes are those of the table)."""
    if not row.street or not row.quarter_id:
        return "street and quarter are required"
    if row.postcode == INVALID:
        return "the postcode must have five digits"
    if row.house_number and not _readable_number(row.house_number):
        return f"house number {row.house_number!r} is unreadable"
    if len(row.street) > 200 or len(row.quarter_id) > 64 or len(row.locality) > 100:
        return "street (200), quarter (64) or locality (100) too long"
    return None


class DirectoryFormatError(ValueError):
    """The CSV lacks a column or holds an unreadable row; names the line and column."""


@dataclass(frozen=True)
class DirectoryFile:
    path: Path
    columns: dict[str, str]

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with open(self.path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def rows(self) -> Iterator[DirectoryRow]:
        """Every address in the file; raises `DirectoryFormatError` naming the line at fault."""
        try:
            yield from self._rows()
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise DirectoryFormatError(f"{self.path.name}: not a readable CSV file ({exc})") from exc

    def _rows(self) -> Iterator[DirectoryRow]:
        """Values are read as text (PLR_ID '01100309' keeps its leading zero)."""
        with open(self.path, "rb") as raw:
            stream = gzip.open(raw) if self.path.suffix == ".gz" else raw  # noqa: SIM115 -- closed with raw
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            header = [h.strip() for h in next(reader, [])]
            missing = [self.columns[k] for k in REQUIRED if self.columns[k] not in header]
            if missing:
                raise DirectoryFormatError(f"{self.path.name}: column(s) {missing} missing; found {header}")
            position = {field: header.index(column) for field, column in self.columns.items() if column in header}
            street, quarter = position["street"], position["quarter_id"]
            number, suffix = position.get("house_number"), position.get("house_number_suffix")
            postcode, locality = position.get("postcode"), position.get("locality")
            width = len(header)
            make = DirectoryRow._make  # tuple.__new__: the cheapest way to build 400,000 rows
            for line, record in enumerate(reader, start=2):
                if len(record) != width:
                    if not record:
                        continue  # a blank line, e.g. at the end of a hand-edited file
                    raise DirectoryFormatError(
                        f"{self.path.name}, line {line}: {len(record)} values, the header has {width}"
                    )
                house = record[number].strip() if number is not None else ""
                if house and suffix is not None:
                    house += record[suffix].strip()
                row = make(
                    (
                        record[street].strip(),
                        _postcode(record[postcode]) if postcode is not None else None,
                        house or None,
                        record[quarter].strip(),
                        record[locality].strip() if locality is not None else "",
                    )
                )
                if (
                    (house and not _readable_number(house))
                    or not row.quarter_id
                    or row.postcode == INVALID
                    or len(row.street) > 200
                    or not row.street
                    or len(row.quarter_id) > 64
                    or len(row.locality) > 100
                ):
                    problem = _problem(row)
                    if problem:
                        raise DirectoryFormatError(f"{self.path.name}, line {line}: {problem}")
                yield row


def directory_file(path: Path, columns: dict[str, str] | None = None) -> DirectoryFile:
    return DirectoryFile(Path(path), {**BERLIN_COLUMNS, **(columns or {})})
