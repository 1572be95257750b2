"""What matching needs from the city's configuration (`city.toml`): the quarter ids, to refuse a
volunteer in a quarter that does not exist, and the time zone weekly availability is meant in."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Berlin"


class CityConfigError(ValueError):
    """The city configuration cannot be read; the message names the file."""


@dataclass(frozen=True)
class City:
    quarters: frozenset[str]
    """Empty when no city is configured: then any well-formed quarter id is accepted."""
    timezone: ZoneInfo


def load_city(directory: Path | None) -> City:
    """Reads quarters and time zone from `directory/city.toml`; no directory means no check."""
    if directory is None or str(directory) in ("", "."):
        return City(frozenset(), ZoneInfo(DEFAULT_TIMEZONE))
    path = Path(directory) / "city.toml"
    if not path.is_file():
        raise CityConfigError(f"{path}: not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        timezone = ZoneInfo(raw.get("timezone", DEFAULT_TIMEZONE))
    except (tomllib.TOMLDecodeError, KeyError, ValueError) as exc:
        raise CityConfigError(f"{path}: {exc}") from exc
    quarters = frozenset(str(q["id"]) for q in raw.get("quarters", []) if "id" in q)
    return City(quarters, timezone)
