"""How staff type addresses, reduced to comparable keys.

"Leipziger Str. 12 a", "leipziger strasse 12A" and "Leipziger-Straße  12a" must all find the same
address: case, ß/ss, ä/ae, accents, abbreviations (Str., str, Pl., Prof., St.), spaces, hyphens and
dots are folded away; house numbers keep their number and letter suffix. The same function makes
the key of a directory name and of a typed name, so both spellings meet whatever the directory used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
# Word-level abbreviations, applied after folding. "strasse" is first shortened to "str." so
# that every spelling (Straße, Strasse, Str., str, -str) meets in one form before expansion.
_ABBREVIATIONS = (
    (re.compile(r"str(?:\.|\b)"), "strasse"),  # Str. / str / Leipzigerstr. / Leipziger Str
    (re.compile(r"pl(?:\.|\b)"), "platz"),  # Pl. / Gierkepl. / Gierkepl
    (re.compile(r"\bprof(?:\.|\b)"), "professor"),
    (re.compile(r"^st(?:\.|\b)\s*-?\s*(?=\w)"), "sankt "),  # St.-Georg-Straße -> sankt georg
)
_NOT_ALNUM = re.compile(r"[^a-z0-9_]+")
# "Straße 7 3" (street 7, house 3) must not meet "Straße 73": digits apart stay apart.
_DIGITS_APART = re.compile(r"(?<=\d)[^a-z0-9]+(?=\d)")
# "Schloßstraße" folds to "schlossstrasse"; people often type "Schlosstr." -- three s are one.
_TRIPLE_S = re.compile(r"s{3,}")
_NUMBER_PART = r"(\d{1,5})\s*([a-zA-Z]?)"
_HOUSE_NUMBER = re.compile(
    rf"^\s*(?:nr\.?\s*)?{_NUMBER_PART}\s*(?:([-/–])\s*(\d{{0,5}})\s*([a-zA-Z]?))?\s*$", re.IGNORECASE
)
_TRAILING_NUMBER = re.compile(
    r"^(?P<street>.*?\D)[\s,]*(?P<number>\d{1,5}\s*[a-zA-Z]?(?:\s*[-/–]\s*\d{0,5}\s*[a-zA-Z]?)?)[\s,]*$"
)
# A five-digit postcode inside a one-line address, with the place name that may follow it.
_POSTCODE_IN_LINE = re.compile(r"(?:^|[\s,])(?:D\s*-\s*)?(\d{5})(?:\s+[^\d,]+)?\s*(?:,|$)", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower-case, umlauts as ae/oe/ue, ß as ss, other accents dropped."""
    text = text.lower().translate(_UMLAUTS)
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", text).translate(_UMLAUTS))
    return "".join(c for c in text if not unicodedata.combining(c))


def street_key(street: str) -> str:
    """The comparison key of a street name: 'Leipziger Str.' -> 'leipzigerstrasse'."""
    text = fold(street.strip()).replace("strasse", "str.")
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    return _TRIPLE_S.sub("ss", _NOT_ALNUM.sub("", _DIGITS_APART.sub("_", text)))


def prefix_keys(prefix: str) -> tuple[str, ...]:
    """Keys a half-typed street may start with: 'Ackerstr' is 'ackerstrasse' or just 'ackerstr'
    (the start of 'Ackerstraße' as well as of a hypothetical 'Ackerstrand')."""
    literal = _TRIPLE_S.sub("ss", _NOT_ALNUM.sub("", fold(prefix.strip())))
    expanded = street_key(prefix)
    return (expanded, literal) if expanded != literal and not expanded.startswith(literal) else (literal,)


cached_street_key = lru_cache(maxsize=1 << 17)(street_key)


@dataclass(frozen=True, order=True)
class HouseNumber:
    number: int
    suffix: str = ""

    def __str__(self) -> str:
        return f"{self.number}{self.suffix}"


def parse_house_range(text: str | int | None) -> tuple[HouseNumber, HouseNumber | None] | None:
    """'12a' -> (12a, None); '12-14' -> (12, 14); '12/1' -> (12, None), a sub-number of house 12;
    None for an empty number; ValueError if unreadable."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    match = _HOUSE_NUMBER.match(raw)
    if not match:
        raise ValueError(f"unreadable house number {raw!r}")
    first = HouseNumber(int(match.group(1)), match.group(2).lower())
    separator, end, end_suffix = match.group(3), match.group(4), match.group(5)
    if separator == "/" or separator is None:
        return first, None
    if not end:  # "12-b" or "12a-c": a run of suffixes on one number
        last = HouseNumber(first.number, end_suffix.lower()) if end_suffix else None
    else:
        last = HouseNumber(int(end), end_suffix.lower())
    return first, (last if last != first else None)


def parse_house_number(text: str | int | None) -> HouseNumber | None:
    """'12a', '12 A', '12-14' (the first), '12/1' (house 12) -> HouseNumber; None for empty."""
    parsed = parse_house_range(text)
    return parsed[0] if parsed else None


def normalize_postcode(text: str | None) -> str | None:
    """'06842', 'D-06842', '6842' (a leading zero lost in a spreadsheet) -> '06842'; None if empty."""
    if text is None:
        return None
    digits = "".join(c for c in str(text) if c.isdigit())
    if not digits:
        return None
    if len(digits) == 4:
        digits = "0" + digits
    if len(digits) != 5:
        raise ValueError(f"postcode must have 5 digits, not {text!r}")
    return digits


def split_street_and_number(line: str) -> tuple[str, str | None]:
    """'Franzstraße 147' -> ('Franzstraße', '147'); a line without a number stays whole."""
    match = _TRAILING_NUMBER.match(line.strip())
    if not match:
        return line.strip(), None
    return match.group("street").strip().rstrip(",").strip(), match.group("number")


def take_postcode(line: str) -> tuple[str, str | None]:
    """'Franzstr. 147a, 06842 Dessau' -> ('Franzstr. 147a', '06842'): the postcode and the place
    name after it taken out of a one-line address."""
    match = _POSTCODE_IN_LINE.search(line)
    if not match:
        return line.strip(" ,"), None
    return (line[: match.start()] + " " + line[match.end() :]).strip(" ,"), match.group(1)


def parse_address_line(line: str) -> tuple[str, str | None, str | None]:
    """A whole address typed in the street field: 'Franzstr. 147a, 06842 Dessau' ->
    ('Franzstr.', '147a', '06842'). Parts not found are None."""
    rest, postcode = take_postcode(line)
    street, number = split_street_and_number(rest)
    return street, number, postcode
