"""What the matching screens share: weekdays, hours as people type them, the city's quarters."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
# "1,5" as Germans write it, "1.5" as matching wants it; anything else is left for matching to refuse
_HOURS = re.compile(r"^\s*(\d{1,2})(?:[.,](\d{1,2}))?\s*$")


def hours_text(raw: str) -> str:
    """The hours as typed, with a decimal comma made a point: matching checks the quarter hours."""
    found = _HOURS.match(raw)
    if not found:
        return raw.strip()
    whole, part = found.groups()
    return f"{whole}.{part}" if part else whole


def city_quarters(city_dir: Path) -> dict[str, str]:
    """The city's quarters from its city.toml, for the public form (which has no login to ask intake with)."""
    path = city_dir / "city.toml"
    if not path.is_file():
        return {}
    city = tomllib.loads(path.read_text(encoding="utf-8"))
    return {str(q["id"]): str(q.get("name", q["id"])) for q in city.get("quarters", []) if "id" in q}
