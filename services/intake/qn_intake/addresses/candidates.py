"""What staff see when an address does not resolve: the reason in German and English, the field at
fault, and candidates a person can pick from -- street names with their postcode and district
("Dessauer Straße, 10963 Kreuzberg" or "Dessauerstraße, 12249 Lankwitz"), house numbers near the one
typed, or the quarters the address could lie in with the house numbers of each. Never a guess.

Only the slow path of a lookup comes here, so clarity wins over speed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from .domain import NO_NUMBER, AddressProblem, ResolvedAddress, Segment, code_text
from .normalize import cached_street_key, parse_address_line

if TYPE_CHECKING:
    from .directory import StreetDirectory

MAX_CANDIDATES = 10


def _problem(de: str, en: str, field: str, candidates: list[dict[str, Any]]) -> AddressProblem:
    return AddressProblem(de, en, field=field, candidates=candidates[:MAX_CANDIDATES])


def entry(
    directory: StreetDirectory, segment: Segment, *, quarter: str | None = None, house_number: str | None = None
) -> dict[str, Any]:
    """One candidate: always the same keys, so a client can show them as a list to pick from."""
    return {
        "street": segment.name,
        "postcode": segment.postcode or None,
        "locality": segment.locality or None,
        "house_number": house_number,
        "quarter_id": quarter,
        "quarter_name": directory.quarter_names.get(quarter) if quarter else None,
    }


def _numbers(segment: Segment) -> list[int]:
    return sorted(c for c in segment.numbers if c >= 0)


def _label(segment: Segment) -> str:
    return f"{segment.name}, {segment.postcode}".rstrip(", ")


def unreadable_number(typed: str | None, prefix: str) -> AddressProblem:
    return _problem(
        f"Hausnummer '{typed}' ist nicht lesbar (Beispiele: 12, 12a, 12 A, 12-14).",
        f"House number '{typed}' is unreadable (examples: 12, 12a, 12 A, 12-14).",
        f"{prefix}house_number",
        [],
    )


def unreadable_postcode(typed: str | None, prefix: str) -> AddressProblem:
    return _problem(
        f"Postleitzahl '{typed}' muss fünf Ziffern haben.",
        f"Postcode '{typed}' must have five digits.",
        f"{prefix}postcode",
        [],
    )


def unknown_street(directory: StreetDirectory, typed: str, prefix: str) -> AddressProblem:
    street = parse_address_line(typed)[0] or typed
    return _problem(
        f"Straße '{typed}' ist im Straßenverzeichnis nicht bekannt; bitte eine der ähnlichen wählen.",
        f"Street '{typed}' is not in the street directory; please choose one of the similar ones.",
        f"{prefix}street",
        similar_streets(directory, street, names=5),
    )


def similar_streets(directory: StreetDirectory, street: str, names: int = 5) -> list[dict[str, Any]]:
    """The closest known street names, best first, each once per postcode; names scoring far below
    the best are left out so that the list stays one a person can read."""
    key = cached_street_key(street)
    if not key:
        return []
    matches = process.extract(key, directory.sorted_keys(), scorer=fuzz.WRatio, limit=names, score_cutoff=70)
    found: list[dict[str, Any]] = []
    for match_key, score, _ in matches:
        if score < matches[0][1] - 15:
            break
        for segment in sorted(directory.streets[match_key], key=lambda s: (s.name, s.postcode)):
            found.append({**entry(directory, segment, quarter=segment.quarter or None), "score": round(score)})
    return found[:MAX_CANDIDATES]


def wrong_postcode(
    directory: StreetDirectory, segments: list[Segment], code: int, plz: str | None, prefix: str
) -> AddressProblem:
    """The street exists, but not with this postcode: list where it does (the number's first)."""
    ranked = sorted(segments, key=lambda s: (code not in s.numbers, s.name, s.postcode))
    name = ranked[0].name
    number = code_text(code) if code != NO_NUMBER else None
    return _problem(
        f"'{name}' gibt es nicht mit der Postleitzahl {plz}; bitte die richtige Postleitzahl wählen.",
        f"'{name}' does not exist with postcode {plz}; please choose the right postcode.",
        f"{prefix}postcode",
        [
            entry(
                directory,
                s,
                quarter=s.numbers.get(code) or s.quarter or None,
                house_number=number if code in s.numbers else None,
            )
            for s in ranked
        ],
    )


def needs_more(directory: StreetDirectory, segments: list[Segment], plz: str | None, prefix: str) -> AddressProblem:
    """No house number typed, and the street lies in several quarters: which house numbers lie where."""
    postcode_suffices = plz is None and len(segments) > 1 and all(s.quarter for s in segments)
    field, de_word, en_word = (
        ("postcode", "Postleitzahl", "postcode")
        if postcode_suffices
        else ("house_number", "Hausnummer", "house number")
    )
    name = segments[0].name
    candidates = []
    for segment in sorted(segments, key=lambda s: (s.name, s.postcode)):
        by_quarter: dict[str, list[int]] = {}
        for code, quarter in segment.numbers.items():
            by_quarter.setdefault(quarter, []).append(code)
        for quarter, codes in sorted(by_quarter.items(), key=lambda item: min(item[1])):
            candidates.append({**entry(directory, segment, quarter=quarter), **_number_span(codes, segment)})
    return _problem(
        f"'{name}' liegt in mehreren Quartieren; bitte {de_word} angeben.",
        f"'{name}' lies in several quarters; please give the {en_word}.",
        f"{prefix}{field}",
        candidates,
    )


def _number_span(codes: list[int], segment: Segment) -> dict[str, str | None]:
    """'1–87' and whether only the odd or even side of the street lies in this quarter."""
    numbered = sorted(c for c in codes if c >= 0)
    if not numbered:
        return {"house_numbers": None, "side": None}
    parities = {(c // 32) % 2 for c in numbered}
    street_parities = {(c // 32) % 2 for c in segment.numbers if c >= 0}
    side = None
    if len(parities) == 1 and len(street_parities) == 2:
        side = "odd" if parities == {1} else "even"
    span = code_text(numbered[0]) if len(numbered) == 1 else f"{code_text(numbered[0])}–{code_text(numbered[-1])}"
    return {"house_numbers": span, "side": side}


def number_in_other_postcode(
    directory: StreetDirectory, elsewhere: list[tuple[Segment, str]], number: str, plz: str | None, prefix: str
) -> AddressProblem:
    first = elsewhere[0][0]
    postcodes = ", ".join(sorted({s.postcode for s, _ in elsewhere}))
    return _problem(
        f"'{first.name} {number}' gibt es nicht mit der Postleitzahl {plz}, aber mit {postcodes}; bitte wählen.",
        f"'{first.name} {number}' does not exist with postcode {plz}, but with {postcodes}; please choose.",
        f"{prefix}postcode",
        [entry(directory, s, quarter=q, house_number=number) for s, q in elsewhere],
    )


def postcode_decides(
    directory: StreetDirectory, found: list[tuple[Segment, str]], number: str, plz: str | None, prefix: str
) -> AddressProblem:
    """The address exists in several quarters: namesakes in other postcodes, or (with the postcode
    given) two spellings in one postcode ('Winkler Straße' and 'Winklerstraße')."""
    name = f"{found[0][0].name} {number}".strip()
    if plz is not None:
        de, en, field = "bitte die Straße wählen", "please choose the street", "street"
    else:
        de, en, field = "bitte Postleitzahl angeben", "please give the postcode", "postcode"
    return _problem(
        f"'{name}' gibt es in mehreren Quartieren; {de}.",
        f"'{name}' exists in several quarters; {en}.",
        f"{prefix}{field}",
        [
            entry(directory, s, quarter=q, house_number=number or None)
            for s, q in sorted(found, key=lambda f: f[0].postcode)
        ],
    )


def suffix_decides(
    directory: StreetDirectory, variants: list[tuple[Segment, int, str]], number: str, prefix: str
) -> AddressProblem:
    name = variants[0][0].name
    return _problem(
        f"'{name} {number}' ist nicht bekannt; die Hausnummern mit diesem Zusatz liegen in verschiedenen "
        "Quartieren: bitte wählen.",
        f"'{name} {number}' is not known; the house numbers with this number lie in different quarters: please choose.",
        f"{prefix}house_number",
        [entry(directory, s, quarter=q, house_number=code_text(c)) for s, c, q in variants],
    )


def unknown_number(
    directory: StreetDirectory, segments: list[Segment], code: int, number: str, prefix: str
) -> AddressProblem:
    """The number is not in the directory and the street lies in several quarters: the nearest ones."""
    near = sorted((abs(c // 32 - code // 32), c % 32, s.postcode, c, s) for s in segments for c in _numbers(s))[:5]
    spans = "; ".join(
        f"{_label(s)}: {code_text(_numbers(s)[0])}–{code_text(_numbers(s)[-1])}" for s in segments if _numbers(s)
    )
    name = segments[0].name
    unnumbered = [entry(directory, s, quarter=s.numbers[NO_NUMBER]) for s in segments if NO_NUMBER in s.numbers]
    return _problem(
        f"Hausnummer {number} in '{name}' ist im Straßenverzeichnis nicht bekannt (bekannt: {spans}).",
        f"House number {number} of '{name}' is not in the street directory (known: {spans}).",
        f"{prefix}house_number",
        [entry(directory, s, quarter=s.numbers[c], house_number=code_text(c)) for _, _, _, c, s in near] + unnumbered,
    )


def range_in_two_quarters(
    directory: StreetDirectory, first: ResolvedAddress, last: ResolvedAddress, start: str, end: str, prefix: str
) -> AddressProblem:
    return _problem(
        f"Die Hausnummern {start} bis {end} liegen in zwei Quartieren; bitte eine Hausnummer angeben.",
        f"House numbers {start} to {end} lie in two quarters; please give one house number.",
        f"{prefix}house_number",
        [
            {
                "street": a.street,
                "postcode": a.postcode,
                "locality": None,
                "house_number": a.house_number,
                "quarter_id": a.quarter_id,
                "quarter_name": directory.quarter_names.get(a.quarter_id),
            }
            for a in (first, last)
        ],
    )
