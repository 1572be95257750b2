"""Street names for a half-typed prefix, as staff type them into an address field: 'karl-m',
'Müllerstr', 'muellerstr' and 'Allee' (a later word of the name) all find their streets."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .normalize import fold, prefix_keys, street_key

if TYPE_CHECKING:
    from .directory import StreetDirectory

_WORDS = re.compile(r"[\s\-/().,']+")


class StreetNames:
    """Sorted keys of whole names and of every word in a name, for prefix search with bisect."""

    def __init__(self, directory: StreetDirectory) -> None:
        names: dict[str, list[Any]] = {}
        words: set[tuple[str, str]] = set()
        for segments in directory.streets.values():
            for segment in segments:
                postcodes, localities = names.setdefault(segment.name, [[], []])
                postcodes.append(segment.postcode)
                if segment.locality:
                    localities.extend(segment.locality.split(" / "))
                parts = [w for w in _WORDS.split(fold(segment.name)) if w]
                for start in range(1, len(parts)):  # 'Karl-Marx-Allee' is found by 'marx al' and 'allee'
                    words.add((street_key(" ".join(parts[start:])), segment.name))
        self._names = names
        self._by_key = sorted({(street_key(name), name) for name in names})
        self._by_word = sorted(words)

    def starting(self, prefix: str, limit: int = 10) -> list[dict[str, Any]]:
        """Names whose start matches first (the shortest first), then names with a later word matching."""
        keys = [k for k in prefix_keys(prefix) if k]
        if not keys:
            return []
        typed = " ".join(fold(prefix).split())

        def rank(name: str) -> tuple[bool, int, str]:  # as typed ('Dessauer Str' -> 'Dessauer Straße') first
            return not fold(name).startswith(typed), len(name), name

        found: dict[str, None] = {}
        for index in (self._by_key, self._by_word):
            for name in sorted({n for k in keys for n in _with_prefix(index, k)}, key=rank):
                found.setdefault(name)
            if len(found) >= limit:
                break
        return [self._describe(name) for name in list(found)[:limit]]

    def _describe(self, name: str) -> dict[str, Any]:
        postcodes, localities = self._names[name]
        return {
            "street": name,
            "postcodes": sorted({p for p in postcodes if p}),
            "localities": sorted(set(localities)),
        }


def _with_prefix(pairs: list[tuple[str, str]], prefix: str, cap: int = 200) -> Iterator[str]:
    index = bisect_left(pairs, (prefix, ""))
    for key, name in pairs[index : index + cap]:
        if not key.startswith(prefix):
            return
        yield name
