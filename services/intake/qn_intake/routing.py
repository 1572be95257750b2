"""The routing table: quarter (or district) x topic x age band -> responsible carrier, office or
team, or neighbourly help. A city keeps it as a CSV file staff can read (deploy/demo-city/routing.csv).
A team rule may name `quarter_team` as its target: the team of the concern's quarter.

For each topic of a concern the most specific matching rule fires; an age-band rule outranks a
topic rule, so anyone under 18 goes to the youth office whatever the topic."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qn_contracts.vocabulary import AgeBand, TargetKind

from .city import QUARTER_TEAM, City, CityConfigError, Quarter

ANY = "*"
HELP = "help"


@dataclass(frozen=True)
class RoutingRule:
    rule_id: str
    quarter: str
    district: str
    topic: str
    age_band: str
    target_kind: str  # carrier | office | team | help
    target_id: str
    help_kind: str = ""
    note: str = ""

    def matches(self, quarter: Quarter, topic: str, age_band: AgeBand | None) -> bool:
        return (
            self.quarter in (ANY, quarter.id)
            and self.district in (ANY, quarter.district)
            and self.topic in (ANY, topic)
            and self.age_band in (ANY, age_band.value if age_band else None)
        )

    @property
    def specificity(self) -> int:
        return (
            8 * (self.age_band != ANY)
            + 4 * (self.topic != ANY)
            + 2 * (self.quarter != ANY)
            + 1 * (self.district != ANY)
        )


@dataclass(frozen=True)
class RoutingDecision:
    """Where one concern goes: a referral target or a help request, the topics it covers and why."""

    kind: str  # carrier | office | team | help
    target_id: str
    topics: tuple[str, ...]
    rule_id: str | None
    help_kind: str = ""


class RoutingTable:
    def __init__(self, rules: Iterable[RoutingRule]) -> None:
        self.rules = tuple(rules)

    def route(self, quarter: Quarter, topics: Iterable[str], age_band: AgeBand | None) -> list[RoutingDecision]:
        """One decision per target; a topic without any rule goes to the quarter's team."""
        merged: dict[tuple[str, str, str], tuple[list[str], str | None]] = {}
        for topic in topics:
            candidates = [r for r in self.rules if r.matches(quarter, topic, age_band)]
            if candidates:
                rule = max(candidates, key=lambda r: r.specificity)
                target = quarter.team if rule.target_id == QUARTER_TEAM else rule.target_id
                key = (rule.target_kind, target, rule.help_kind)
                rule_id: str | None = rule.rule_id
            else:
                key = (TargetKind.TEAM.value, quarter.team, "")
                rule_id = None
            topics_of_target, _ = merged.setdefault(key, ([], rule_id))
            if topic not in topics_of_target:
                topics_of_target.append(topic)
        return [
            RoutingDecision(kind=k[0], target_id=k[1], help_kind=k[2], topics=tuple(ts), rule_id=rule_id)
            for k, (ts, rule_id) in merged.items()
        ]


def load_routing_table(path: Path, city: City) -> RoutingTable:
    """Reads the CSV and checks every reference against the city; errors name the line."""
    rules = []
    kinds = {k.value for k in TargetKind} | {HELP}
    age_bands = {a.value for a in AgeBand} | {ANY}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name}, line {line}"
            rule = RoutingRule(
                rule_id=(row.get("rule_id") or "").strip() or f"line-{line}",
                quarter=(row.get("quarter") or ANY).strip() or ANY,
                district=(row.get("district") or ANY).strip() or ANY,
                topic=(row.get("topic") or ANY).strip() or ANY,
                age_band=(row.get("age_band") or ANY).strip() or ANY,
                target_kind=(row.get("target_kind") or "").strip(),
                target_id=(row.get("target_id") or "").strip(),
                help_kind=(row.get("help_kind") or "").strip(),
                note=(row.get("note") or "").strip(),
            )
            if rule.target_kind not in kinds:
                raise CityConfigError(f"{where}: target_kind must be one of {sorted(kinds)}")
            if rule.target_kind == HELP:
                if not rule.help_kind:
                    raise CityConfigError(f"{where}: a help rule needs help_kind")
            elif rule.target_id == QUARTER_TEAM:
                if rule.target_kind != TargetKind.TEAM.value:
                    raise CityConfigError(f"{where}: target_id {QUARTER_TEAM!r} needs target_kind 'team'")
            elif city.target_kind(rule.target_id) != rule.target_kind:
                if city.target_kind(rule.target_id) is None:
                    raise CityConfigError(f"{where}: unknown target_id {rule.target_id!r}")
                raise CityConfigError(
                    f"{where}: {rule.target_id!r} is a {city.target_kind(rule.target_id)}, not a {rule.target_kind}"
                )
            if rule.quarter != ANY and rule.quarter not in city.quarters:
                raise CityConfigError(f"{where}: unknown quarter {rule.quarter!r}")
            if rule.district != ANY and rule.district not in city.districts:
                raise CityConfigError(f"{where}: unknown district {rule.district!r}")
            if rule.topic != ANY and rule.topic not in city.topics:
                raise CityConfigError(f"{where}: unknown topic {rule.topic!r}")
            if rule.age_band not in age_bands:
                raise CityConfigError(f"{where}: age_band must be one of {sorted(age_bands)}")
            rules.append(rule)
    return RoutingTable(rules)
