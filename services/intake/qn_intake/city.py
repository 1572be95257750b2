"""The city's configuration as intake sees it: quarters, teams, organisations and the topic
taxonomy, read from `city.toml` (see deploy/demo-city/). Plain data, no framework."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qn_contracts.vocabulary import TargetKind


class CityConfigError(ValueError):
    """The city configuration is inconsistent; the message names the file and entry."""


@dataclass(frozen=True)
class Quarter:
    id: str
    name: str
    district: str
    team: str


@dataclass(frozen=True)
class Team:
    id: str
    name: str


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: TargetKind


@dataclass(frozen=True)
class Topic:
    code: str
    de: str
    en: str


@dataclass(frozen=True)
class City:
    name: str
    timezone: str
    state: str
    directory: Path
    quarters: dict[str, Quarter]
    teams: dict[str, Team]
    organisations: dict[str, Organisation]
    topics: dict[str, Topic]
    street_directory: Path | None = None
    routing_table: Path | None = None
    districts: frozenset[str] = field(default=frozenset())

    def quarter(self, quarter_id: str) -> Quarter | None:
        return self.quarters.get(quarter_id)

    def target_kind(self, target_id: str) -> TargetKind | None:
        if target_id in self.teams:
            return TargetKind.TEAM
        org = self.organisations.get(target_id)
        return org.kind if org else None


def load_city(directory: Path) -> City:
    """Reads `city.toml` from `directory` and checks that every reference resolves."""
    path = Path(directory) / "city.toml"
    if not path.is_file():
        raise CityConfigError(f"{path}: not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CityConfigError(f"{path}: {exc}") from exc

    teams = {t["id"]: Team(t["id"], t["name"]) for t in raw.get("teams", [])}
    quarters: dict[str, Quarter] = {}
    for q in raw.get("quarters", []):
        if q.get("team") not in teams:
            raise CityConfigError(f"{path}: quarter {q.get('id')!r} names unknown team {q.get('team')!r}")
        quarters[q["id"]] = Quarter(q["id"], q["name"], q.get("district", ""), q["team"])
    organisations = {}
    for o in raw.get("organisations", []):
        try:
            kind = TargetKind(o.get("kind", "carrier"))
        except ValueError as exc:
            raise CityConfigError(f"{path}: organisation {o.get('id')!r}: kind must be carrier or office") from exc
        organisations[o["id"]] = Organisation(o["id"], o["name"], kind)
    topics = {t["code"]: Topic(t["code"], t["de"], t.get("en", t["de"])) for t in raw.get("topics", [])}
    if not quarters or not topics:
        raise CityConfigError(f"{path}: at least one quarter and one topic are needed")

    def optional_file(key: str) -> Path | None:
        name = raw.get(key)
        return (Path(directory) / name) if name else None

    return City(
        name=raw.get("name", "Quartiersnetz"),
        timezone=raw.get("timezone", "Europe/Berlin"),
        state=raw.get("state", ""),
        directory=Path(directory),
        quarters=quarters,
        teams=teams,
        organisations=organisations,
        topics=topics,
        street_directory=optional_file("street_directory"),
        routing_table=optional_file("routing_table"),
        districts=frozenset(q.district for q in quarters.values() if q.district),
    )
