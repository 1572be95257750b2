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
from pathlib import Path

from .directory import DirectoryRow

BERLIN_COLUMNS = {
    "street": "str_name",
    "house_number": "hnr",
    "house_number_suffix": "hnr_zusatz",
    "postcode": "plz",
    "locality": "ort_name",
    "quarter_id": "PLR_ID",
}


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
        raw = open(self.path, "rb")  # noqa: SIM115 -- closed below
        try:
            stream = gzip.open(raw) if self.path.suffix == ".gz" else raw
            text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
            reader = csv.DictReader(text)
            needed = [self.columns[k] for k in ("street", "quarter_id")]
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise DirectoryFormatError(f"{self.path.name}: column(s) {missing} missing; found {reader.fieldnames}")
            col = self.columns
            for line, record in enumerate(reader, start=2):
                street = (record.get(col["street"]) or "").strip()
                quarter = (record.get(col["quarter_id"]) or "").strip()
                if not street or not quarter:
                    raise DirectoryFormatError(f"{self.path.name}, line {line}: street and quarter are required")
                number = (record.get(col["house_number"]) or "").strip()
                suffix = (record.get(col.get("house_number_suffix", "")) or "").strip()
                yield DirectoryRow(
                    street=street,
                    postcode=(record.get(col["postcode"]) or "").strip() or None,
                    house_number=f"{number}{suffix}" if number else None,
                    quarter_id=quarter,
                    locality=(record.get(col.get("locality", "")) or "").strip(),
                )
        finally:
            raw.close()


def directory_file(path: Path, columns: dict[str, str] | None = None) -> DirectoryFile:
    return DirectoryFile(Path(path), {**BERLIN_COLUMNS, **(columns or {})})
