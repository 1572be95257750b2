"""How staff type addresses, reduced to comparable keys.

"Leipziger Str. 12 a", "leipziger strasse 12A" and "Leipziger-Straße  12a" must all find the same
address: case, ß/ss, ä/ae, abbreviations (Str., str, Pl.), spaces, hyphens and dots are folded
away; house numbers keep their number and letter suffix."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
# word-level abbreviations, applied after umlaut folding and lower-casing
_ABBREVIATIONS = (
    (re.compile(r"str(?:\.|\b)"), "strasse"),  # Str. / str / Leipzigerstr.
    (re.compile(r"\bpl(?:\.|\b)"), "platz"),
    (re.compile(r"\bprof(?:\.|\b)"), "professor"),
    (re.compile(r"^st(?:\.|\b)\s*-?\s*(?=\w)"), "sankt "),  # St.-Georg-Straße -> sankt georg
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*([a-zA-Z]?)\s*(?:[-/–]\s*\d{0,5}\s*[a-zA-Z]?)?\s*$")


def fold(text: str) -> str:
    """Lower-case, umlauts as ae/oe/ue, ß as ss, other accents dropped."""
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def street_key(street: str) -> str:
    """The comparison key of a street name: 'Leipziger Str.' -> 'leipzigerstrasse'."""
    text = fold(street.strip())
    text = text.replace("strasse", "str.")  # so that "strasse" and "str" meet in one spelling
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return _NOT_ALNUM.sub("", text)


@dataclass(frozen=True, order=True)
class HouseNumber:
    number: int
    suffix: str = ""

    def __str__(self) -> str:
        return f"{self.number}{self.suffix}"


def parse_house_number(text: str | int | None) -> HouseNumber | None:
    """'12a', '12 A', '12-14' (the first) -> HouseNumber; None for empty; ValueError if unreadable."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    match = _HOUSE_NUMBER.match(raw)
    if not match:
        raise ValueError(f"unreadable house number {raw!r}")
    return HouseNumber(int(match.group(1)), match.group(2).lower())


_TRAILING_NUMBER = re.compile(r"^(?P<street>.*?\D)\s*(?P<number>\d{1,5}\s*[a-zA-Z]?(?:\s*[-/–]\s*\d{0,5}\s*[a-zA-Z]?)?)\s*$")


def split_street_and_number(line: str) -> tuple[str, str | None]:
    """'Franzstraße 147' -> ('Franzstraße', '147'); a line without a number stays whole."""
    match = _TRAILING_NUMBER.match(line.strip())
    if not match:
        return line.strip(), None
    return match.group("street").strip().rstrip(","), match.group("number")


def normalize_postcode(text: str | None) -> str | None:
    if text is None:
        return None
    digits = re.sub(r"\D", "", str(text))
    if not digits:
        return None
    if len(digits) != 5:
        raise ValueError(f"postcode must have 5 digits, not {text!r}")
    return digits
