"""The city's configuration as intake sees it: quarters, teams, organisations and the topic
taxonomy, read from `city.toml` (see deploy/demo-city/). Plain data, no framework."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qn_contracts.vocabulary import ORG_ID_PATTERN, SignalType, TargetKind, Urgency


class CityConfigError(ValueError):
    """The city configuration is inconsistent; the message names the file and entry."""


@dataclass(frozen=True)
class Quarter:
    id: str
    name: str
    district: str
    team: str
    polygon: tuple[tuple[float, float], ...] = ()
    """Outline as (longitude, latitude) pairs, if configured; resolves coordinates to the quarter."""


@dataclass(frozen=True)
class Policy:
    """Deadlines and rules a city sets for its teams (city.toml)."""

    referral_due_days: dict[Urgency, float]
    referral_due_days_by_topic: dict[str, dict[Urgency, float]]
    follow_up_due_days: dict[SignalType, float]
    discharge_follow_up_hours: float = 48
    no_contact_days: float = 14
    rules_every_minutes: float = 15

    def referral_due(self, topics: tuple[str, ...] | list[str], urgency: Urgency) -> float:
        """Days a target has for a referral: the shortest of its topics' deadlines."""
        days = [self.referral_due_days_by_topic.get(t, self.referral_due_days)[urgency] for t in topics]
        return min(days, default=self.referral_due_days[urgency])


DEFAULT_POLICY = Policy(
    referral_due_days={Urgency.IMMEDIATE: 1, Urgency.SOON: 7, Urgency.PLANNABLE: 14},
    referral_due_days_by_topic={},
    follow_up_due_days={
        SignalType.LONELINESS: 7,
        SignalType.NEGLECT: 2,
        SignalType.DISCHARGE_WITHOUT_FOLLOW_UP: 1,
        SignalType.NO_CONTACT: 3,
        SignalType.DEBT_CRISIS: 3,
        SignalType.HOUSING_LOSS_RISK: 2,
    },
)


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


QUARTER_TEAM = "quarter_team"
"""A routing rule's target_id for "the quarter's own team" (so one rule serves every quarter)."""


@dataclass(frozen=True)
class ChildProtection:
    """Concerns of minors and families go to the youth office, whatever their topics (SGB VIII)."""

    youth_office: str
    """The organisation id of the youth office (Allgemeiner Sozialer Dienst)."""
    family_topics: frozenset[str] = frozenset()
    """Topics that make a concern a family's concern."""


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
    policy: Policy = DEFAULT_POLICY
    child_protection: ChildProtection | None = None

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
    for entry in [*raw.get("teams", []), *raw.get("organisations", [])]:
        if not re.match(ORG_ID_PATTERN, str(entry.get("id", ""))):
            # the id becomes a NATS subject token of the events addressed to it (decision 0010)
            raise CityConfigError(
                f"{path}: id {entry.get('id')!r} must be lower-case letters, digits, '-' or '_' (no '.')"
            )
    if QUARTER_TEAM in teams:
        raise CityConfigError(f"{path}: '{QUARTER_TEAM}' is reserved (routing rules use it for the quarter's team)")
    quarters: dict[str, Quarter] = {}
    for q in raw.get("quarters", []):
        if q.get("team") not in teams:
            raise CityConfigError(f"{path}: quarter {q.get('id')!r} names unknown team {q.get('team')!r}")
        polygon = tuple((float(lon), float(lat)) for lon, lat in q.get("polygon", []))
        if polygon and len(polygon) < 3:
            raise CityConfigError(f"{path}: quarter {q['id']!r}: a polygon needs at least three points")
        quarters[q["id"]] = Quarter(q["id"], q["name"], q.get("district", ""), q["team"], polygon)
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
        child_protection=_child_protection(raw, path, organisations, topics),
        policy=_policy(raw, path, topics),
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


def _child_protection(
    raw: dict[str, object], path: Path, organisations: dict[str, Organisation], topics: dict[str, Topic]
) -> ChildProtection | None:
    """Reads [child_protection]: the youth office must be an office of the city."""
    section = raw.get("child_protection")
    if section is None:
        return None
    if not isinstance(section, dict):
        raise CityConfigError(f"{path}: [child_protection] must be a table")
    office = section.get("youth_office")
    if office not in organisations or organisations[office].kind != TargetKind.OFFICE:
        raise CityConfigError(f"{path}: [child_protection] youth_office must name an office, not {office!r}")
    family = frozenset(section.get("family_topics", []))
    unknown = sorted(family - set(topics))
    if unknown:
        raise CityConfigError(f"{path}: [child_protection] family_topics names unknown topics {unknown}")
    return ChildProtection(youth_office=office, family_topics=family)


def _policy(raw: dict[str, object], path: Path, topics: dict[str, Topic]) -> Policy:
    """Reads [referral_due_days], [follow_up_due_days] and [signal_rules]; defaults fill the gaps."""
    try:
        due = dict(raw.get("referral_due_days", {}))  # type: ignore[call-overload]
        by_topic_raw = due.pop("topics", {})
        referral_due = {**DEFAULT_POLICY.referral_due_days, **{Urgency(k): float(v) for k, v in due.items()}}
        by_topic = {}
        for topic, values in by_topic_raw.items():
            if topic not in topics:
                raise CityConfigError(f"{path}: referral_due_days.topics names unknown topic {topic!r}")
            by_topic[topic] = {**referral_due, **{Urgency(k): float(v) for k, v in values.items()}}
        follow_up = dict(raw.get("follow_up_due_days", {}))  # type: ignore[call-overload]
        follow_up_due = {**DEFAULT_POLICY.follow_up_due_days, **{SignalType(k): float(v) for k, v in follow_up.items()}}
        rules = dict(raw.get("signal_rules", {}))  # type: ignore[call-overload]
        return Policy(
            referral_due_days=referral_due,
            referral_due_days_by_topic=by_topic,
            follow_up_due_days=follow_up_due,
            discharge_follow_up_hours=float(rules.get("discharge_follow_up_hours", 48)),
            no_contact_days=float(rules.get("no_contact_days", 14)),
            rules_every_minutes=float(rules.get("check_every_minutes", 15)),
        )
    except ValueError as exc:
        raise CityConfigError(f"{path}: {exc}") from exc
