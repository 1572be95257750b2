"""The city's configuration as reporting needs it: which quarters there are, their names, and the
district each belongs to -- the place hierarchy of the published tables. Read from `city.toml`
(see deploy/demo-city/); plain data, no framework."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path


class CityConfigError(ValueError):
    """The city configuration cannot be used; the message names the file and entry."""


@dataclass(frozen=True)
class Quarter:
    id: str
    name: str
    district: str
    polygon: tuple[tuple[float, float], ...] = ()
    """Outline as (longitude, latitude) pairs, if configured: the dashboard's map draws it."""


@dataclass(frozen=True)
class Organisation:
    """A carrier, office or team referrals go to: public, as the city lists them."""

    id: str
    name: str
    kind: str
    """carrier, office or team."""


@dataclass(frozen=True)
class City:
    name: str
    quarters: tuple[Quarter, ...]
    topic_labels: tuple[tuple[str, str, str], ...] = ()
    """(code, German, English) of each topic of the city's taxonomy, for printed reports."""
    organisations: tuple[Organisation, ...] = ()

    def topic_label(self, code: str, language: str) -> str:
        found = next((t for t in self.topic_labels if t[0] == code), None)
        return code if found is None else (found[1] if language == "de" else found[2])

    def districts(self) -> dict[str, tuple[str, ...]]:
        """District id -> its quarters' ids, in the order of the configuration."""
        found: dict[str, list[str]] = {}
        for quarter in self.quarters:
            found.setdefault(quarter.district, []).append(quarter.id)
        return {district: tuple(ids) for district, ids in found.items()}

    def label(self, quarter_id: str) -> str:
        return next((q.name for q in self.quarters if q.id == quarter_id), quarter_id)


def load_city(directory: Path) -> City:
    path = Path(directory) / "city.toml"
    if not path.is_file():
        raise CityConfigError(f"{path}: not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CityConfigError(f"{path}: {exc}") from exc
    quarters = []
    for index, entry in enumerate(raw.get("quarters", [])):
        try:
            polygon = tuple((float(lon), float(lat)) for lon, lat in entry.get("polygon", []))
            quarters.append(
                Quarter(str(entry["id"]), str(entry.get("name", entry["id"])), str(entry["district"]), polygon)
            )
        except KeyError as exc:
            raise CityConfigError(f"{path}: quarters[{index}] lacks {exc.args[0]!r}") from exc
    topics = tuple(
        (str(t["code"]), str(t.get("de", t["code"])), str(t.get("en", t.get("de", t["code"]))))
        for t in raw.get("topics", [])
        if "code" in t
    )
    organisations = tuple(
        Organisation(str(o["id"]), str(o.get("name", o["id"])), str(o.get("kind", "")))
        for o in raw.get("organisations", [])
        if "id" in o
    )
    return City(str(raw.get("name", "")), tuple(quarters), topics, organisations)
