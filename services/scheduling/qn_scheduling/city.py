"""The city's configuration as scheduling needs it: the time zone opening hours are given in, and
the quarters, organisations and teams a site or booking may name, the topics an offer may carry,
and the federal state whose public holidays apply. Read from `city.toml` (see
deploy/demo-city/); plain data, no framework."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class CityConfigError(ValueError):
    """The city configuration cannot be used; the message names the file and entry."""


@dataclass(frozen=True)
class City:
    name: str
    timezone: ZoneInfo
    quarters: frozenset[str]
    organisations: frozenset[str]
    teams: frozenset[str]
    state: str | None = None
    """ISO 3166-2 subdivision of Germany without the country (`ST` Saxony-Anhalt, `BE` Berlin)."""
    topics: frozenset[str] = frozenset()
    organisation_names: tuple[tuple[str, str], ...] = ()
    topic_labels: tuple[tuple[str, str, str], ...] = ()
    """(code, German, English) for each topic, as the public programme shows them."""
    quarter_names: tuple[tuple[str, str], ...] = ()

    @property
    def bookers(self) -> frozenset[str]:
        """Ids a booking may be made for: carriers, offices and neighbourhood teams."""
        return self.organisations | self.teams


def load_city(directory: Path) -> City:
    """Reads `city.toml` from `directory`."""
    path = Path(directory) / "city.toml"
    if not path.is_file():
        raise CityConfigError(f"{path}: not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CityConfigError(f"{path}: {exc}") from exc
    try:
        timezone = ZoneInfo(raw.get("timezone", "Europe/Berlin"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CityConfigError(f"{path}: unknown timezone {raw.get('timezone')!r}") from exc
    quarters = frozenset(q["id"] for q in raw.get("quarters", []))
    if not quarters:
        raise CityConfigError(f"{path}: at least one quarter is needed")
    return City(
        name=raw.get("name", "Quartiersnetz"),
        timezone=timezone,
        quarters=quarters,
        organisations=frozenset(o["id"] for o in raw.get("organisations", [])),
        teams=frozenset(t["id"] for t in raw.get("teams", [])),
        state=raw.get("state"),
        topics=frozenset(t["code"] for t in raw.get("topics", [])),
        organisation_names=tuple((o["id"], o.get("name", o["id"])) for o in raw.get("organisations", [])),
        topic_labels=tuple(
            (t["code"], t.get("de", t["code"]), t.get("en", t.get("de", t["code"]))) for t in raw.get("topics", [])
        ),
        quarter_names=tuple((q["id"], q.get("name", q["id"])) for q in raw.get("quarters", [])),
    )
